'use strict';
// scan.js: check-in mode. Staff set a kiosk at the event to check-in for
// that event; a resident holds the QR code of the booking (on the phone or
// the printed slip) to the kiosk's camera or to its USB or Bluetooth
// scanner, which types the /c/<token> URL and Enter, or types the 6-digit
// code from the SMS on the keypad. The answer greets by name in huge type,
// in colour, in words and aloud (李阿姨,签到成功), and the scanning screen
// comes back by itself a few seconds later.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  const scan = {
    busy: false, // a check-in is on its way to the server
    // seen tells a code read again too soon (lib/scan.js): a code held to
    // the camera counts once until it was away 10 s (the answer shows 6 s,
    // and the resident may still hold it up when the scanning screen comes
    // back); a scanner reading one code twice within 2 s counts once.
    seen: Chorus.scan.repeats({ camera: 10000, scanner: 2000 }),
  };
  K.scan = scan;

  // active reports that scans are taken: a paired kiosk in check-in mode,
  // on its scanning or answer screen, with no other mode waiting.
  scan.active = function () {
    if (!K.token() || !K.data.mode || K.data.mode.kind !== 'checkin') return false;
    if (K.pending.mode && K.pending.mode.kind !== 'checkin') return false;
    const id = K.screenId();
    return id === 'checkin' || id === 'checkin/result';
  };

  // scanned takes what a camera or a scanner read; it reports whether a
  // check-in was sent. The same code is taken once in a while only: a code
  // held to the camera is seen a few times a second, and the camera sees
  // it again when the scanning screen comes back.
  K.scanned = function (text, source) {
    if (!scan.active()) return false;
    const req = Chorus.scan.parse(text);
    if (!req) {
      // Any other code in the camera's view (a poster, a payment code) is
      // ignored; one given to the scanner is answered.
      if (source === 'camera' || scan.busy) return false;
      answer({ outcome: 'not_ours', message: '这不是签到用的二维码。', next: '请扫预约凭条上或预约成功时屏幕上的二维码,或者输入短信里的6位签到码。' });
      return true;
    }
    if (scan.seen(req.token || req.code, source)) return false;
    if (scan.busy) return false;
    send(req);
    return true;
  };

  // send checks a scanned code in; the answer, or what went wrong, shows
  // on the answer screen.
  async function send(body) {
    scan.busy = true;
    if (K.$('#idle')) K.stillHere(); // a scan is someone at the kiosk
    else K.closeDialog();
    try {
      answer(await K.api('POST', '/api/kiosk/checkin', body));
    } catch (err) {
      const api = err instanceof K.ApiError;
      if (!api) console.error(err);
      const message = api ? err.message : '出了点问题。';
      answer({ outcome: 'error', message, next: /工作人员/.test(message) ? '' : '请再扫一次;还不行请到服务台找工作人员帮忙。' });
    } finally {
      scan.busy = false;
    }
  }

  // checkin checks the resident in with the code typed on the keypad; an
  // error shows in a dialog and keeps the digits.
  K.checkin = async function (code, btn) {
    scan.busy = true;
    try {
      await K.busy(btn, async () => {
        answer(await K.api('POST', '/api/kiosk/checkin', { code }));
      }, '请核对签到码再试一次,或找工作人员帮忙。');
    } finally {
      scan.busy = false;
    }
  };

  function answer(r) {
    d().checkin = r;
    K.finish('checkin/result');
  }

  // ---- the scanner: a keyboard that types very fast and ends with Enter ----
  // Keys are taken page-wide (a hidden input holds the focus for scanners
  // that only type into a field). A burst counts as a scan when every key
  // follows the one before within maxGap and the keys came maxAvg apart
  // on average: a scanner types a URL in a fraction of a second, a person
  // on a keyboard takes seconds. Anything else is left alone, and the
  // keypad is never touched.
  const keys = Chorus.scan.keys({
    maxGap: 150, // ms between two keys of one scan; a longer pause starts over
    maxAvg: 50,  // ms between keys on average over the whole scan (Bluetooth scanners take ~30)
    minLen: 6,   // a 6-digit code; a URL is much longer
  });
  keys.viaInput = false; // the last key was "Unidentified": its character comes as input
  keys.swallow = 0;      // until when the keypress of a scan's Enter is dropped
  keys.lastScan = null;  // {n, ms}: the keys of the last scan and how long they took
  scan.keys = keys;

  // when is the time a key was pressed: the input event's own time stamp
  // (from the device, so a busy page does not squeeze a person's typing
  // into a scanner's pace), else now.
  const when = (e) => (e.timeStamp > 0 ? e.timeStamp : performance.now());

  function onKeyDown(e) {
    if (!scan.active()) {
      keys.clear();
      return;
    }
    if (e.isComposing || e.repeat) return;
    const now = when(e);
    if (e.key === 'Enter' || e.key === 'Tab') {
      const text = keys.end(now);
      if (!text) return; // a person pressing Enter: the focused button acts as ever
      keys.lastScan = { n: text.length, ms: Math.round(keys.last - keys.first) };
      e.preventDefault(); // nor does the focused button (a digit just tapped) act
      e.stopPropagation();
      keys.swallow = now + 500;
      K.scanned(text, 'scanner');
      return;
    }
    if (e.key === 'Unidentified' || e.key === 'Process') {
      keys.viaInput = true;
      return;
    }
    keys.viaInput = false;
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) return; // Shift and other keys are not characters
    keys.push(e.key, now);
  }

  // onKeyPress keeps the Enter of a scan from pressing the focused button
  // when its keypress comes on its own (as some input paths send it).
  function onKeyPress(e) {
    if ((e.key === 'Enter' || e.key === 'Tab') && when(e) < keys.swallow) {
      keys.swallow = 0;
      e.preventDefault();
      e.stopPropagation();
    }
  }

  let input = null;
  function onInput(e) {
    if (keys.viaInput && e.data && scan.active()) {
      const now = when(e);
      for (const ch of e.data) keys.push(ch, now);
    }
    keys.viaInput = false;
    input.value = '';
  }

  function focusInput() {
    if (input && scan.active() && document.activeElement !== input) {
      try { input.focus({ preventScroll: true }); } catch (e) { /* no focus: keys still reach the page */ }
    }
  }
  scan.focus = focusInput;

  // ---- the camera ----
  const cam = {
    state: 'off',  // off, starting, on, none (no camera or not allowed)
    stream: null,
    video: null,   // the preview, kept across screens
    stopFrames: null, // stops the frame loop (lib/scan.js)
    every: 300,    // ms between two decoded frames: a few a second
    hold: false,   // tests: show the preview, decode nothing
  };
  scan.camera = cam;

  const wanted = () => !!K.token() && !!K.data.mode && K.data.mode.kind === 'checkin';

  // startCamera asks for the camera. quiet keeps the screen as it is
  // while asking again (a camera plugged in later).
  function startCamera(quiet) {
    const md = navigator.mediaDevices;
    if (!md || typeof md.getUserMedia !== 'function') { // no camera, or not a secure context
      setState('none');
      return;
    }
    if (!quiet) setState('starting');
    const asked = cam.asked = {};
    // A permission prompt nobody answers must not keep the screen waiting.
    const slow = setTimeout(() => { if (cam.asked === asked && cam.state === 'starting') setState('none'); }, 8000);
    md.getUserMedia({ audio: false, video: { width: { ideal: 1280 }, height: { ideal: 720 } } }).then((stream) => {
      clearTimeout(slow);
      if (cam.asked !== asked || !wanted()) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      cam.stream = stream;
      if (!cam.video) {
        cam.video = K.el('video', { id: 'camera', muted: true, playsinline: true, autoplay: true, 'aria-hidden': 'true' });
        cam.video.muted = true;
      }
      cam.video.srcObject = stream;
      play();
      for (const t of stream.getVideoTracks()) {
        t.addEventListener('ended', () => {
          if (cam.stream !== stream) return;
          stopCamera();
          setState('none'); // unplugged: the scanner and the keypad still work
        });
      }
      setState('on');
      if (cam.stopFrames) cam.stopFrames();
      // Frames are decoded while the scanning screen shows and nothing
      // else is going on.
      cam.stopFrames = Chorus.scan.frames(cam.video, cam.every, K.decodeFrame, (text) => { K.scanned(text, 'camera'); },
        () => cam.hold || scan.busy || K.screenId() !== 'checkin' || !K.$('#overlay').hidden);
    }, (err) => {
      clearTimeout(slow);
      if (cam.asked !== asked) return;
      console.warn('kiosk camera:', err && err.name);
      if (wanted()) setState('none');
    });
  }

  function stopCamera() {
    cam.asked = null;
    if (cam.stopFrames) cam.stopFrames();
    cam.stopFrames = null;
    if (cam.stream) cam.stream.getTracks().forEach((t) => t.stop());
    cam.stream = null;
    if (cam.video) cam.video.srcObject = null;
    cam.state = 'off';
  }

  function setState(st) {
    if (cam.state === st) return;
    cam.state = st;
    K.refresh('scan'); // in place: the panel keeps its size
  }

  function play() {
    const v = cam.video;
    if (v && v.paused && v.srcObject) {
      const p = v.play();
      if (p && p.catch) p.catch(() => { /* tried again on the next screen */ });
    }
  }

  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener('devicechange', () => {
      if (wanted() && cam.state === 'none') startCamera(true);
    });
  }

  // decodeFrame reads a QR code off an image, a video or a canvas (w × h),
  // decoded at most 640 px on its longer side (the kiosk's webcam films a
  // code held close); it returns the text or ''.
  K.decodeFrame = Chorus.scan.decoder(640);

  // decodeImageForTest feeds the camera's decoder an image (a QR code the
  // server drew at /qr/<token>.png) as if it were a frame of the camera;
  // it answers {text, acted}.
  K.decodeImageForTest = async function (url) {
    const text = await Chorus.scan.decodeImage(K.decodeFrame, url);
    return { text, acted: text ? K.scanned(text, 'camera') : false };
  };

  // sync runs after every screen is drawn: the camera is on in check-in
  // mode only, and the hidden input holds the focus there.
  scan.sync = function () {
    if (!wanted()) {
      if (cam.state !== 'off') stopCamera();
      return;
    }
    if (cam.state === 'off') startCamera(false);
    play();
    focusInput();
  };

  // ---- the screens ----
  // panel is the scanning part of the check-in screen: the camera's
  // picture, or what to do without a camera. Its size never changes, so
  // nothing moves when the camera comes or goes.
  function panel() {
    return K.watch('scan', K.el('div', { class: 'scan', id: 'scan' }), (box) => {
      const on = cam.state === 'on' && cam.video;
      box.dataset.camera = cam.state;
      const msg = on ? '有二维码的,请对准摄像头。'
        : cam.state === 'none' ? '有二维码的,请用扫码器扫一下。' : '正在打开摄像头…';
      box.replaceChildren(on ? K.el('div', { class: 'cam' }, cam.video) : '',
        K.el('p', { class: 'scan-msg', id: 'scan-msg' }, msg));
      if (on) play();
    });
  }

  S.checkin = function () {
    // An event closed to bookings is not among the kiosk's events: its
    // title comes with the mode.
    const ev = K.event(K.data.mode.event_id);
    const name = ev ? ev.title : K.data.mode.event_title;
    return {
      id: 'checkin',
      title: '签到' + (name ? ' · ' + name : ''),
      hint: '签到码在预约成功的短信里,是6位数字。',
      homeable: true,
      body: K.section(K.entry({
        field: 'code', length: 6, groups: [3, 3], label: '签到',
        before: panel(),
        lead: '请输入短信里的6位签到码:',
        done: (v, b) => K.checkin(v, b),
      })),
    };
  };

  const heads = {
    other_event: '不是这个活动的预约', cancelled: '预约已经取消了', waitlisted: '还在候补,没有签上',
    unknown: '没有找到这个预约', not_ours: '不是签到二维码', error: '没有签上',
  };

  // The answer: green ✓ 签到成功 with the name, amber 已签到 with the time
  // of the first check-in, red for anything else with the server's
  // sentence; in words, colour and voice. It goes back to the scanning
  // screen by itself.
  S['checkin/result'] = function () {
    const r = d().checkin;
    const kind = r.outcome === 'ok' ? 'ok' : r.outcome === 'already' ? 'already' : 'bad';
    const b = r.booking || null;
    const name = (b && b.name) || '';
    const parts = [];
    let say = '';
    if (kind !== 'bad') {
      if (name) parts.push(K.el('p', { class: 'answer-name' + (name.length > 5 ? ' long' : ''), id: 'answer-name' }, name));
      parts.push(K.el('p', { class: 'answer-word', id: 'answer-word' }, r.word || (kind === 'ok' ? '✓ 签到成功' : '✓ 已签到')));
      say = r.message || (kind === 'ok' ? '签到成功!' : '您已经签到过了。');
      if (kind === 'already' && r.first_at) {
        const hm = K.hm(r.first_at);
        parts.push(K.el('p', { class: 'answer-line' }, '第一次签到在 ', K.el('span', { class: 'num' }, hm), ',不用再签。'));
        say += '第一次签到是' + K.sayTime(+hm.slice(0, 2), +hm.slice(3, 5)) + '。';
      }
      if (b) {
        parts.push(K.el('p', { class: 'answer-line' }, b.event_title + ' ', K.el('span', { class: 'num' }, K.span(b.slot_start, b.slot_end))));
      }
    } else {
      // The right event on another day is not "another event".
      const otherDay = r.outcome === 'other_event' &&
        ((b && K.data.mode && K.data.mode.event_id && b.event_id === K.data.mode.event_id) || /不是今天/.test(r.message || ''));
      const head = otherDay ? '不是今天的预约' : heads[r.outcome] || '没有签上';
      const next = r.next !== undefined ? r.next : /工作人员/.test(r.message || '') ? '' : '请到服务台找工作人员帮忙。';
      parts.push(K.el('p', { class: 'answer-word', id: 'answer-word' }, head));
      if (r.message) parts.push(K.el('p', { class: 'answer-line' }, r.message));
      if (next) parts.push(K.el('p', { class: 'answer-line' }, next));
      say = head + '。' + (r.message || '') + next;
    }
    const back = kind === 'bad' ? 12 : 6; // s: time to read a red answer
    return {
      id: 'checkin/result',
      title: kind === 'ok' ? '签到成功' : kind === 'already' ? '已签到' : '请找工作人员',
      hint: back + '秒后自动回到签到页面,下一位可以直接扫码。',
      autoHome: back,
      say,
      body: K.section(
        K.el('div', { class: 'answer answer-' + kind, id: 'answer', 'data-outcome': r.outcome, role: 'status' }, ...parts),
        K.el('div', { class: 'actions' }, K.button('完成', () => K.reset(), { primary: true, id: 'done' }))),
      mounted: () => {
        fit(K.$('#answer'));
        // Spoken once, not again when the text size changes.
        if (r.spoken) return;
        r.spoken = true;
        if (!K.session.autoRead) K.speech.say(K.speakable(say));
      },
    };
  };

  // fit makes the answer's type a step smaller at a time until it fits:
  // a long name or event title at the largest text size.
  function fit(box) {
    for (const step of ['fit1', 'fit2', 'fit3']) {
      if (box.scrollHeight <= box.clientHeight + 1) return;
      box.classList.add(step);
    }
  }

  K.initScan = function () {
    input = K.el('input', {
      id: 'scan-input', type: 'text', inputmode: 'none', autocomplete: 'off', autocapitalize: 'off',
      spellcheck: 'false', tabindex: '-1', 'aria-hidden': 'true',
    });
    input.addEventListener('input', onInput);
    // Whatever takes the focus away to nowhere (a window switch, a screen
    // drawn anew), the hidden input takes it back in check-in mode, so a
    // scanner's Enter never lands on the page.
    input.addEventListener('blur', () => setTimeout(() => {
      if (!document.activeElement || document.activeElement === document.body) focusInput();
    }, 0));
    document.body.append(input);
    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('keypress', onKeyPress, true);
    // A tap moves the focus to the button; give it back for the scanner.
    document.addEventListener('pointerup', () => setTimeout(focusInput, 0), true);
    // A touch's mouse events come after its pointerup, when the screen may
    // already have changed under the finger (完成 → the scanning screen):
    // their mousedown would move the focus to the page. In check-in mode
    // the hidden input keeps it.
    document.addEventListener('mousedown', (e) => { if (scan.active() && e.target !== input) e.preventDefault(); }, true);
  };
})(window.K);
