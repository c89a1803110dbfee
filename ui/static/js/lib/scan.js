'use strict';
// lib/scan.js: reading check-in QR codes, shared by the kiosk's check-in
// mode and the door check-in page: what a code says (a /c/<token> URL, a
// bare token, a 6-digit code), decoding camera frames with the vendored
// jsQR (vendor/jsQR.js, loaded before), the camera's frame loop, the
// window in which the same code counts once, and telling a scanner's
// burst of keys from a person typing.
(function () {
  const Chorus = (window.Chorus = window.Chorus || {});
  const S = (Chorus.scan = {});

  // parse turns what was read into a check-in request: {token} from a
  // /c/<token> URL (of this server or any other address of it) or a bare
  // token, {code} from six digits, null for anything else (a poster's
  // link, a product's barcode). The server checks the token's signature.
  S.parse = function (text) {
    const s = String(text || '').trim();
    if (/^\d{6}$/.test(s)) return { code: s };
    const i = s.lastIndexOf('/c/');
    if (i >= 0) {
      const t = s.slice(i + 3).split(/[?#/\s]/)[0];
      return /^[A-Za-z0-9_-]{16,64}$/.test(t) ? { token: t } : null;
    }
    return /^[A-Za-z0-9_-]{16,64}$/.test(s) ? { token: s } : null;
  };

  // decoder returns decode(src, w, h), which draws a picture (a video
  // frame, an image, a canvas of w × h) scaled to at most maxSide px on
  // its longer side and returns the text of the QR code in it, or ''.
  // Both kinds of code are tried, dark on light and light on dark (a
  // phone in dark mode shows its code inverted).
  S.decoder = function (maxSide) {
    let canvas = null, g = null;
    return function decode(src, w, h) {
      if (typeof window.jsQR !== 'function' || !w || !h) return '';
      if (!canvas) {
        canvas = document.createElement('canvas');
        g = canvas.getContext('2d', { willReadFrequently: true });
      }
      const scale = Math.min(1, maxSide / Math.max(w, h));
      const cw = Math.max(1, Math.round(w * scale)), ch = Math.max(1, Math.round(h * scale));
      if (canvas.width !== cw || canvas.height !== ch) {
        canvas.width = cw;
        canvas.height = ch;
      }
      g.drawImage(src, 0, 0, cw, ch);
      const img = g.getImageData(0, 0, cw, ch);
      const qr = window.jsQR(img.data, cw, ch, { inversionAttempts: 'attemptBoth' });
      return qr && qr.data ? qr.data : '';
    };
  };

  // decodeImage loads the image at url and decodes it with decode.
  S.decodeImage = async function (decode, url) {
    const img = new Image();
    img.src = url;
    await img.decode();
    return decode(img, img.naturalWidth, img.naturalHeight);
  };

  // frames decodes frames of video every ms while it plays, skipping
  // those when skip() is true or the page is hidden, and hands each text
  // read to onText, waiting for what it returns before the next frame. It
  // returns the function that stops it.
  S.frames = function (video, every, decode, onText, skip) {
    let timer = 0, stopped = false;
    async function tick() {
      if (stopped) return;
      try {
        if (!document.hidden && !(skip && skip()) && video.isConnected && video.readyState >= 2 && video.videoWidth) {
          const text = decode(video, video.videoWidth, video.videoHeight);
          if (text) await onText(text);
        }
      } finally {
        if (!stopped) timer = setTimeout(tick, every);
      }
    }
    timer = setTimeout(tick, every);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  };

  // repeats returns seen(key, source), which reports whether key was
  // already read from source less than windows[source] ms ago: a code
  // held to the camera is seen several times a second, and seen again
  // when the scanning screen comes back. Every reading counts as the
  // latest, so a code held up all along stays a repeat.
  S.repeats = function (windows) {
    const last = new Map(); // key → when last read, ms
    return function seen(key, source) {
      const now = Date.now();
      const prev = last.get(key);
      last.set(key, now);
      if (last.size > 200) {
        for (const [k, t] of last) if (now - t > 60000) last.delete(k);
      }
      return !!prev && now - prev < (windows[source] || 0);
    };
  };

  // keys returns a reader of a scanner, which types very fast and ends
  // with Enter: push(ch, t) adds a key pressed at t (ms); end(t) returns
  // the keys since the last pause if they came as a scanner types them,
  // else '', and starts over. A burst counts as a scan when every key
  // follows the one before within o.maxGap and the keys came o.maxAvg
  // apart on average, with at least o.minLen keys: a scanner types a URL
  // in a fraction of a second, a person takes seconds.
  S.keys = function (o) {
    const k = Object.assign({ maxGap: 150, maxAvg: Infinity, minLen: 1, buf: '', first: 0, last: 0 }, o);
    k.push = function (ch, t) {
      if (t - k.last > k.maxGap || t < k.last) {
        k.buf = '';
        k.first = t;
      }
      k.buf = (k.buf + ch).slice(-512);
      k.last = t;
    };
    k.end = function (t) {
      const text = k.buf, n = text.length;
      k.buf = '';
      const fast = n >= k.minLen && t >= k.last && t - k.last <= k.maxGap &&
        (n < 2 || (k.last - k.first) / (n - 1) <= k.maxAvg);
      return fast ? text : '';
    };
    k.clear = () => { k.buf = ''; };
    return k;
  };
})();
