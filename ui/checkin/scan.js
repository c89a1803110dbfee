// Staff check-in page: reading QR codes with the phone's rear camera and
// jsQR (vendor/jsQR.js), and reading a USB or Bluetooth scanner, which
// types the code's URL and Enter like a keyboard.
'use strict';

(function () {
  const C = (window.checkin = window.checkin || {});

  // frameEvery is the least time between two decoded camera frames, in ms:
  // five a second finds a code at once and spares the battery.
  const frameEvery = 200;
  // maxSide bounds the decoded frame's longer side, in px: a code held at
  // the door fills a good part of the picture.
  const maxSide = 800;
  // repeatAfter is how long the camera ignores the code it just read, in
  // ms, so that one QR held up is one scan.
  const repeatAfter = 4000;
  // scannerGap is the longest pause between a scanner's keys, in ms; a
  // scanner types a whole URL in a few dozen ms.
  const scannerGap = 300;

  const canvas = document.createElement('canvas');
  const g = canvas.getContext('2d', { willReadFrequently: true });

  // decodeFrame draws a picture (a video frame or an image) on the canvas
  // and returns the text of the QR code in it, or ''.
  function decodeFrame(src, w, h) {
    if (!w || !h) return '';
    const scale = Math.min(1, maxSide / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    g.drawImage(src, 0, 0, canvas.width, canvas.height);
    const img = g.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
    return code ? code.data : '';
  }
  C.decodeFrame = decodeFrame;

  // parseScan turns what was read into a request: {token} from a QR code's
  // /c/<token> URL or a bare token, {code} from six digits, else null.
  C.parseScan = function (text) {
    text = String(text || '').trim();
    if (/^\d{6}$/.test(text)) return { code: text };
    const m = text.match(/\/c\/([A-Za-z0-9_-]{16,64})(?:[?#/]|$)/);
    if (m) return { token: m[1] };
    if (/^[A-Za-z0-9_-]{16,64}$/.test(text)) return { token: text };
    return null;
  };

  let lastText = '';
  let lastAt = 0;

  // scanned handles the text read by the camera or a scanner; it returns
  // the check-in's answer, or null when it was ignored.
  C.scanned = async function (text, from) {
    const now = Date.now();
    if (from === 'camera' && text === lastText && now - lastAt < repeatAfter) return null;
    lastText = text;
    lastAt = now;
    const req = C.parseScan(text);
    if (!req) {
      C.showAnswer({ outcome: 'error', message: '这不是签到二维码。请扫预约短信或签到条上的二维码。' });
      return null;
    }
    return C.checkIn(req, req.code ? '签到码 ' + req.code : '二维码');
  };

  // decodeImage reads the QR code in the image at url as if the camera had
  // seen it, and checks it in; it returns the answer (null if no code).
  C.decodeImage = async function (url) {
    const img = new Image();
    img.src = url;
    await img.decode();
    const text = decodeFrame(img, img.naturalWidth, img.naturalHeight);
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
  let raf = 0;
  let lastFrame = 0;
  let busy = false;
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
    raf = requestAnimationFrame(tick);
  }

  function stopCamera() {
    cancelAnimationFrame(raf);
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    box.hidden = true;
    btn.textContent = '打开摄像头扫码';
  }

  async function tick(t) {
    raf = requestAnimationFrame(tick);
    if (busy || t - lastFrame < frameEvery || video.readyState < 2) return;
    lastFrame = t;
    const text = decodeFrame(video, video.videoWidth, video.videoHeight);
    if (!text) return;
    busy = true;
    try {
      await C.scanned(text, 'camera');
    } finally {
      busy = false;
    }
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

  let typed = '';
  let typedAt = 0;
  document.addEventListener('keydown', (e) => {
    const el = e.target;
    if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const now = Date.now();
    if (now - typedAt > scannerGap) typed = '';
    typedAt = now;
    if (e.key === 'Enter') {
      const text = typed;
      typed = '';
      if (C.parseScan(text) && (text.length > 6 || C.tab !== 'code')) {
        e.preventDefault();
        if (C.tab === 'code' && C.typeDigit) C.typeDigit('clear'); // its digits were no code
        C.scanned(text, 'scanner');
      }
      return;
    }
    if (e.key.length === 1) {
      typed += e.key;
      // Digits typed on the code tab are the code; anything else is a scan.
      if (C.tab === 'code' && /^\d+$/.test(typed) && C.typeDigit) {
        C.typeDigit(e.key);
      } else if (C.tab !== 'code') {
        e.preventDefault();
      }
    } else if (e.key === 'Backspace' && C.tab === 'code' && C.typeDigit) {
      C.typeDigit('back');
    }
  });
})();
