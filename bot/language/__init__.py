"""Languages: Babel catalogues and negotiation, text folding and matching, transliteration, the
free-text vocabulary.
"""
