// The sign-in link carries its one-time token after "#": put it into the form, and take it
// out of the address bar (and so out of the browser's history).
"use strict";
(function () {
  const token = decodeURIComponent(location.hash.slice(1));
  document.getElementById("token").value = token;
  if (token) history.replaceState(null, "", location.pathname);
})();
