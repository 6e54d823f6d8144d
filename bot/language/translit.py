"""Ukrainian or Russian typed in Latin letters ("shcho zaraz", "kogda obed"), read back as Cyrillic.

The spelling people use on phones without a Cyrillic keyboard is loose; the Cyrillic it gives
only needs to be close enough for the tolerant matching in `bot.language.textmatch` (which
also folds і/и, є/е, ы/и and drops the soft sign), not a faithful spelling.
"""

from __future__ import annotations

import re

# Longest first: "shch" before "sh", "ts" before "t"; "-tsya" ends reflexive verbs ("-ться").
# "h" before "t" is х ("hto", "nihto"): no Ukrainian or Russian word has "гт".
_RULES = (
    ("shch", "щ"), ("sch", "щ"), ("tsya", "тся"), ("tsia", "тся"), ("tsja", "тся"),
    ("ht", "хт"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("ya", "я"), ("ja", "я"), ("yu", "ю"), ("ju", "ю"), ("ye", "е"),
    ("je", "е"), ("yo", "е"), ("jo", "е"), ("yi", "ї"), ("ia", "я"), ("iu", "ю"),
    ("a", "а"), ("b", "б"), ("c", "ц"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "г"), ("i", "і"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("v", "в"), ("w", "в"), ("x", "кс"), ("y", "и"), ("z", "з"),
)
_PATTERN = re.compile("|".join(re.escape(latin) for latin, _ in _RULES))
_CYRILLIC = dict(_RULES)


def to_cyrillic(text: str) -> str:
    """'shcho zaraz' -> 'що зараз'; anything but Latin letters is kept as it is."""
    return _PATTERN.sub(lambda match: _CYRILLIC[match.group(0)], text.lower())
