'use strict';
// boot.js: starts the kiosk page: the start screen of its mode, the
// websocket when paired, and pairing at once when opened as
// /kiosk#pair=CODE (the link in the pairing QR code staff scan).
(function (K) {
  K.initApp();
  K.initScan();
  const m = /^#pair=(\d{8})$/.exec(location.hash.replace(/[\s-]/g, ''));
  K.setOnline(false);
  K.reset(); // also drops #pair=… from the address
  if (K.token()) K.link.start();
  if (m) {
    K.pair(m[1]).catch((err) => K.fail(err, '请核对配对码,或在管理页面重新生成。'));
  }
})(window.K);
