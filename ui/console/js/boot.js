'use strict';
// boot.js: starts the console once every page has registered its route.
window.C.start();
