'use strict';
// boot.js: starts the console once every page has registered its route.
window.C.start();

// The footer names the server's version (/healthz), for reports to the
// administrator.
window.C.api('GET', '/healthz').then((h) => {
  if (h.version) document.getElementById('footer').textContent = `社区合唱 Chorus 版本 ${h.version}`;
}).catch(() => {});
