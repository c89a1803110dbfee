// Staff check-in page: reading QR codes with the phone's rear camera, and
// reading a USB or Bluetooth scanner, which types the code's URL and Enter
// like a keyboard; the decoding, parsing and repeat window are lib/scan.js.
'use strict';

(function () {
  const C = (window.checkin = window.checkin || {});

  // frameEvery is the least time between two decoded camera frames, in ms:
  // five a second finds a code at once and spares the battery.
  const frameEvery = 200;
  // scannerGap is the longest pause between a scanner's keys, in ms; a
  // scanner types a whole URL in a few dozen ms.
  const scannerGap = 300;

  // decodeFrame returns the text of the QR code in a picture (a video
  // frame or an image), or ''; frames are decoded at most 800 px on their
  // longer side: a code held at the door fills a good part of the picture.
  const decodeFrame = Chorus.scan.decoder(800);
  C.decodeFrame = decodeFrame;

  // parseScan turns what was read into a request: {token}, {code} or null.
  C.parseScan = Chorus.scan.parse;

  // seen tells the code the camera just read: ignored for 4 s, so that one
  // QR held up is one scan while the next resident steps up at once.
  const seen = Chorus.scan.repeats({ camera: 4000 });

  // scanned handles the text read by the camera or a scanner; it returns
  // the check-in's answer, or null when it was ignored.
  C.scanned = async function (text, from) {
    const req = C.parseScan(text);
    if (seen(req ? req.token || req.code : String(text), from)) return null;
    if (!req) {
      C.showAnswer({ outcome: 'error', message: '这不是签到二维码。请扫预约短信或签到条上的二维码。' });
      return null;
    }
    return C.checkIn(req, req.code ? '签到码 ' + req.code : '二维码');
  };

  // decodeImage reads the QR code in the image at url as if the camera had
  // seen it, and checks it in; it returns the answer (null if no code).
  C.decodeImage = async function (url) {
    const text = await Chorus.scan.decodeImage(decodeFrame, url);
    if (!text) {
      C.showAnswer({ outcome: 'error', message: '图片里没有找到二维码。' });
      return null;
    }
    return C.scanned(text, 'camera');
  };

  // The camera.
  const video = document.getElementById('video');
  const box = document.getElementById('camera');
  const btn = document.getElementById('camera-btn');
  const msg = document.getElementById('camera-msg');
  let stream = null;
  let stopFrames = null; // stops the frame loop
  let wanted = false; // on before the page was hidden

  async function startCamera() {
    msg.textContent = '';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      msg.textContent = '这个浏览器打不开摄像头(要用 https 地址打开本页)。请用扫码枪,或输入签到码。';
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (e) {
      msg.textContent = e.name === 'NotAllowedError'
        ? '没有摄像头权限:请在浏览器设置里允许本页使用摄像头。'
        : '打不开摄像头(' + e.name + ')。请用扫码枪,或输入签到码。';
      return;
    }
    video.srcObject = stream;
    box.hidden = false;
    btn.textContent = '关闭摄像头';
    wanted = true;
    try {
      await video.play();
    } catch (e) {
      // autoplay of a muted inline video is allowed; a failure shows black
    }
    stopFrames = Chorus.scan.frames(video, frameEvery, decodeFrame, (text) => C.scanned(text, 'camera'));
  }

  function stopCamera() {
    if (stopFrames) stopFrames();
    stopFrames = null;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    box.hidden = true;
    btn.textContent = '打开摄像头扫码';
  }

  btn.addEventListener('click', () => {
    if (stream) {
      wanted = false;
      stopCamera();
    } else {
      startCamera();
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && stream) {
      stopCamera();
      wanted = true;
    } else if (!document.hidden && wanted && !stream && C.tab === 'scan') {
      startCamera();
    }
  });
  C.stopCamera = () => {
    wanted = false;
    stopCamera();
  };

  // The scanner: into its own input when that has the focus, or typed
  // anywhere but a text field.
  const input = document.getElementById('scanner');
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const text = input.value;
    input.value = '';
    if (text.trim()) C.scanned(text, 'scanner');
  });

  const keys = Chorus.scan.keys({ maxGap: scannerGap });
  document.addEventListener('keydown', (e) => {
    const el = e.target;
    if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const now = Date.now();
    if (e.key === 'Enter') {
      const text = keys.end(now);
      if (C.parseScan(text) && (text.length > 6 || C.tab !== 'code')) {
        e.preventDefault();
        if (C.tab === 'code' && C.typeDigit) C.typeDigit('clear'); // its digits were no code
        C.scanned(text, 'scanner');
      }
      return;
    }
    if (e.key.length === 1) {
      keys.push(e.key, now);
      // Digits typed on the code tab are the code; anything else is a scan.
      if (C.tab === 'code' && /^\d+$/.test(keys.buf) && C.typeDigit) {
        C.typeDigit(e.key);
      } else if (C.tab !== 'code') {
        e.preventDefault();
      }
    } else if (e.key === 'Backspace' && C.tab === 'code' && C.typeDigit) {
      C.typeDigit('back');
    }
  });
})();
