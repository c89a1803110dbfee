'use strict';
// speech.js: what the kiosk says and how: words for the ear (times,
// dates, codes and phones as a listener understands them), the short
// spoken summary of a screen (朗读), and the voice: the kiosk server's
// (espeak-ng, played at the page's own volume) or the browser's
// (Mandarin only).
(function (K) {
  // ---- words for the ear (kiosk-ux.md 14, 16) ----
  const cnDigits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

  // cnNumber writes 0–9999 as it is said: 12 十二, 45 四十五, 105 一百零五.
  K.cnNumber = function (n) {
    if (n < 10) return cnDigits[n];
    if (n < 100) return (n >= 20 ? cnDigits[Math.floor(n / 10)] : '') + '十' + (n % 10 ? cnDigits[n % 10] : '');
    let out = '', zero = false, r = n;
    for (const [w, v] of [['千', 1000], ['百', 100], ['十', 10]]) {
      const dgt = Math.floor(r / v);
      r %= v;
      if (dgt) {
        out += (zero ? '零' : '') + cnDigits[dgt] + w;
        zero = false;
      } else if (out) zero = true;
    }
    return out + (r ? (zero ? '零' : '') + cnDigits[r] : '');
  };

  // sayTime says a clock time as people do: 九点, 九点一刻, 九点半, 下午两点
  // 零五分. part is false to leave out 上午/下午 (the second of a span).
  K.sayTime = function (h, m, part) {
    const when = part === false ? '' : h < 6 ? '凌晨' : h < 12 ? '' : h === 12 ? '中午' : h < 18 ? '下午' : '晚上';
    const h12 = h > 12 ? h - 12 : h;
    const mins = m === 0 ? '' : m === 15 ? '一刻' : m === 30 ? '半' : (m < 10 ? '零' : '') + K.cnNumber(m) + '分';
    return when + (h12 === 2 ? '两' : K.cnNumber(h12)) + '点' + mins;
  };

  // spokenDigits reads a code or a number digit by digit, 1 as 幺.
  const spokenDigits = (d) => d.split('').map((c) => K.digitWord(c)).join(' ');

  // speakable turns screen text into what a listener understands: times
  // as 九点一刻, dates as 十二月五日, phones and codes digit by digit (1 as
  // 幺), a masked phone as 尾号…, counts as numbers; symbols dropped.
  K.speakable = (t) => String(t)
    .replace(/1\d{2}\*{4}(\d{4})/g, (_, d) => '尾号' + spokenDigits(d) + '的手机')
    .replace(/尾号(\d+)/g, (_, d) => '尾号' + spokenDigits(d))
    .replace(/(\d{1,2}):(\d{2})\s*[–-]\s*(\d{1,2}):(\d{2})/g, (_, h1, m1, h2, m2) =>
      K.sayTime(+h1, +m1) + '到' + K.sayTime(+h2, +m2, (+h1 < 12) === (+h2 < 12) && +h2 !== 12 ? false : undefined))
    .replace(/(\d{1,2}):(\d{2})/g, (_, h, m) => K.sayTime(+h, +m))
    .replace(/(\d{1,2})月(\d{1,2})日/g, (_, m, d) => K.cnNumber(+m) + '月' + K.cnNumber(+d) + '日')
    .replace(/\d{5,}/g, (d) => (/^1[3-9]\d{9}$/.test(d) ? K.sayDigits(d) : spokenDigits(d)))
    .replace(/(第?)(\d{1,4})(?=(\s?[个位岁天层]?))/g, (_, nth, d, after) =>
      nth + (d === '2' && !nth && after.trim() ? '两' : K.cnNumber(+d)))
    .replace(/[✓·–]/g, ',')
    .replace(/\s*\n+\s*/g, ',')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[,\s]+|[,\s]+$/g, '')
    .replace(/([,。:])[,\s]+/g, '$1');

  // ---- speech ----
  // Chromium on Linux has voices only with --enable-speech-dispatcher and
  // speech-dispatcher-espeak-ng; its Mandarin voice is "cmn-latn-pinyin".
  // Without a Chinese voice the 朗读 button says so and nothing breaks.
  // Where the kiosk server speaks (espeak-ng, server.Speech), the page
  // plays its audio at the page's own volume: Chromium gives a voice's
  // volume to nobody, so only then do 小声/大声 change what is heard.
  const S = { voice: null, server: false, level: 4, onChange: () => {} };
  K.speech = S;
  S.levels = 5;
  S.defaultLevel = 4;
  S.available = () => S.server || !!S.voice;
  S.said = []; // the last things said, {text, volume}, newest last

  // checkServer asks the server once whether it speaks for the kiosk.
  S.checkServer = async function () {
    if (S.checked) return;
    S.checked = true;
    try {
      const r = await K.api('GET', '/api/kiosk/speech');
      S.server = !!(r && r.available);
    } catch (e) {
      S.checked = false; // ask again on the next snapshot
    }
    S.onChange();
  };

  let gen = 0;                 // bumped by every cut-off: late audio is dropped
  let chain = Promise.resolve();
  S.audio = null;              // the audio playing
  function stopAudio() {
    if (S.audio) {
      S.audio.pause();
      S.audio = null;
    }
  }
  function sayOnServer(text, queue) {
    if (!queue) {
      gen++;
      stopAudio();
      chain = Promise.resolve();
    }
    const my = gen;
    const got = fetch('/api/kiosk/speech', {
      method: 'POST', cache: 'no-store', body: JSON.stringify({ text }),
      headers: Object.assign({ 'Content-Type': 'application/json' }, K.kioskAuth()),
    }).then((r) => (r.ok ? r.blob() : null)).catch(() => null);
    chain = chain.then(() => got).then((blob) => (blob && my === gen ? play(blob, my) : null));
    return true;
  }
  function play(blob, my) {
    return new Promise((done) => {
      const url = URL.createObjectURL(blob);
      const a = new Audio(url);
      a.volume = S.level / S.levels;
      S.audio = a;
      const end = () => { URL.revokeObjectURL(url); if (S.audio === a) S.audio = null; done(); };
      a.onended = end;
      a.onerror = end;
      a.play().then(() => { S.playing = my; }, (e) => { S.blocked = e.name; end(); });
    });
  }
  // setLevel changes the volume, of the audio playing too.
  S.setLevel = function (level) {
    S.level = Math.max(1, Math.min(S.levels, level));
    if (S.audio) S.audio.volume = S.level / S.levels;
  };
  S.pick = function () {
    const synth = window.speechSynthesis;
    if (!synth || typeof synth.getVoices !== 'function') return;
    const voices = synth.getVoices() || [];
    // Mandarin only: never a Cantonese (yue, zh-HK), Hakka or Min voice,
    // whose reading a Mandarin speaker would not follow.
    const other = /yue|cantonese|hak|nan|min|-hk|-mo|_hk/i;
    const zh = (v) => (/^(zh|cmn)([-_]|$)/i.test(v.lang || '') || /mandarin|cmn/i.test(v.name || '')) &&
      !other.test(v.lang || '') && !other.test(v.name || '');
    const v = voices.find((x) => zh(x) && /CN|Hans|pinyin/i.test(x.lang || '')) || voices.find(zh) || null;
    if (v !== S.voice) {
      S.voice = v;
      S.onChange();
    }
  };
  S.init = function () {
    const synth = window.speechSynthesis;
    if (!synth) return;
    S.pick();
    if (synth.addEventListener) synth.addEventListener('voiceschanged', S.pick);
    // Some builds fill the list late without the event.
    let tries = 0;
    const again = () => { S.pick(); if (!S.voice && ++tries < 8) setTimeout(again, 250); };
    setTimeout(again, 250);
  };
  // say speaks text, cutting off whatever was being said unless queue.
  S.say = function (text, queue) {
    if (!text) return false;
    if (S.server || S.voice) {
      S.said.push({ text, volume: S.level / S.levels });
      if (S.said.length > 20) S.said.shift();
    }
    if (S.server) return sayOnServer(text, queue);
    const synth = window.speechSynthesis;
    if (!S.voice || !synth) return false;
    if (!queue) synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = S.voice.lang;
    try {
      u.voice = S.voice;
    } catch (e) { /* not a SpeechSynthesisVoice: the lang picks the voice */ }
    u.volume = S.level / S.levels;
    u.rate = 0.85; // a little slower than normal, for older listeners
    synth.speak(u);
    return true;
  };
  S.stop = function () {
    gen++;
    stopAudio();
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  };

  K.readScreen = function () {
    if (!K.speech.available()) return false;
    return K.speech.say(K.summary());
  };

  // maxSpoken bounds a screen's spoken summary in syllables: about 15 s
  // at the slow rate a kiosk speaks.
  const maxSpoken = 60;

  // summary is what 朗读 says of the screen shown: what it is and what to
  // do next (the screen's own say, else its title, the lines that matter
  // and its hint), never every button; at most maxSpoken syllables.
  K.summary = function () {
    const sc = K.shown || {};
    const parts = [];
    const add = (t) => {
      const x = (t || '').replace(/\s+/g, ' ').trim();
      if (x && !parts.some((p) => p.includes(x.replace(/^✓\s*/, '')))) parts.push(x);
    };
    add(sc.title);
    if (sc.say) add(typeof sc.say === 'function' ? sc.say() : sc.say);
    else {
      add(sc.hint); // what to do next, before the details
      const main = K.$('#main');
      for (const e of main.querySelectorAll('.lead, .entry-lead, .big-ok, .big-note, .big-bad, .state-line, .codebox > div, #sms, .facts, .entry-msg')) {
        if (e.offsetParent === null) continue;
        // Facts by their values: 免费义诊,十二月五日,九点到九点一刻…
        add(e.matches('.facts') ? [...e.querySelectorAll('dd')].map((x) => x.innerText).join(',') : e.innerText);
      }
      const choices = [...main.querySelectorAll('.pagebox button')].filter((b) => b.offsetParent !== null && !b.disabled);
      if (choices.length) add('有' + choices.length + '个可以选');
    }
    let out = '';
    for (const p of parts) {
      const next = out + (out ? '。' : '') + K.speakable(p).replace(/[。:,;\s]+$/, '');
      if (out && syllables(next) > maxSpoken) continue; // too long: the shorter parts after it still fit
      out = next;
    }
    return out;
  };

  // syllables counts what a voice says: CJK characters and digits.
  function syllables(t) {
    return (t.match(/[\u3400-\u9fff0-9]/g) || []).length;
  }
  K.syllables = syllables;

})(window.K);
