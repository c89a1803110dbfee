// audit.js checks the screen shown against the numbers of kiosk-ux.md and
// returns {problems: [...], texts, targets}. Run by the browser tests on
// every screen, at every text size.
(() => {
  const problems = [];
  const W = window.innerWidth, H = window.innerHeight;
  const say = (s) => { if (problems.length < 40) problems.push(s); };
  const label = (el) => (el.id ? '#' + el.id + ' ' : '') + JSON.stringify((el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 30));

  // ---- colours ----
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // background returns the colour behind el: its own and its ancestors'
  // backgrounds composited over white.
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return out;
  };

  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const overlay = document.querySelector('#overlay');
  const covered = overlay && !overlay.hidden;
  const inScope = (el) => !el.closest('#receipt') && (!covered || el.closest('#overlay') || el.closest('#offline'));

  // ---- text ----
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let texts = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !inScope(el) || !shown(el)) continue;
    texts++;
    const cs = getComputedStyle(el);
    const fs = parseFloat(cs.fontSize);
    const big = el.closest('h1, h2, h3, .num, .display, .code, .keypad .digit');
    if (fs < 24) say('text under 24 px: ' + label(el) + ' ' + fs);
    else if (fs < 32) say('body text under 32 px: ' + label(el) + ' ' + fs);
    if (big && fs < 40) say('heading/time/count/digits under 40 px: ' + label(el) + ' ' + fs);
    // A time, a date or a (masked) phone number anywhere: >= 40 px.
    else if (fs < 40 && /\d{1,2}:\d{2}|\d{1,2}月\d{1,2}日|\d{3}\*{4}\d{4}|1\d{10}/.test(node.textContent)) {
      say('time/date/number under 40 px: ' + label(el) + ' ' + fs);
    }
    const lh = parseFloat(cs.lineHeight);
    if (!(lh / fs >= 1.49)) say('line height under 1.5: ' + label(el) + ' ' + cs.lineHeight);
    const c = ratio(parse(cs.color), background(el));
    if (c < 7) say('contrast ' + c.toFixed(2) + ' < 7: ' + label(el));
    if (!/^"?Noto Sans CJK SC/.test(cs.fontFamily)) say('not the system CJK font: ' + label(el) + ' ' + cs.fontFamily);
    // Where the text really is: inside the viewport and every box that clips.
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width > 40.5 * fs && !el.closest('button')) say('text line over 40 characters wide: ' + label(el));
    if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) say('text outside the screen: ' + label(el));
    // Nothing lies on top of it.
    const rects = [...range.getClientRects()];
    for (const q of rects) {
      const top = document.elementFromPoint(q.left + q.width / 2, q.top + q.height / 2);
      // The offline banner covers the header on purpose.
      if (top && top.closest('#offline') && el.closest('#top')) break;
      if (top && !el.contains(top) && !top.contains(el) && !(el.closest('button') && el.closest('button').contains(top))) {
        say('text covered by ' + (top.id || top.className || top.tagName) + ': ' + label(el));
        break;
      }
    }
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const acs = getComputedStyle(a);
      if (acs.overflowX !== 'visible' || acs.overflowY !== 'visible') {
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
          say('text cut off by ' + (a.id || a.className) + ': ' + label(el));
          break;
        }
      }
    }
  }

  // ---- targets ----
  const root = covered ? overlay : document;
  const targets = [...root.querySelectorAll('button')].filter((b) => inScope(b) && shown(b));
  const boxes = targets.map((b) => b.getBoundingClientRect());
  targets.forEach((b, i) => {
    const r = boxes[i];
    const min = b.classList.contains('primary') ? 96 : 72;
    if (r.width < min - 0.5 || r.height < min - 0.5) say('target under ' + min + ' px: ' + label(b) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
    if (r.top < 0.15 * H - 0.5 || r.bottom > 0.85 * H + 0.5) say('target outside the middle 70%: ' + label(b) + ' y ' + Math.round(r.top) + '–' + Math.round(r.bottom));
    if (r.left < 0 || r.right > W) say('target off screen: ' + label(b));
    const cs = getComputedStyle(b);
    if (parseFloat(cs.borderTopWidth) > 0) {
      const c = ratio(parse(cs.borderTopColor), background(b.parentElement));
      if (c < 4.5) say('border contrast ' + c.toFixed(2) + ' < 4.5: ' + label(b));
    }
    for (let j = i + 1; j < targets.length; j++) {
      const q = boxes[j];
      const dx = Math.max(q.left - r.right, r.left - q.right);
      const dy = Math.max(q.top - r.bottom, r.top - q.bottom);
      if (Math.max(dx, dy) < 23.5) say('targets closer than 24 px: ' + label(b) + ' and ' + label(targets[j]) + ' (' + Math.round(Math.max(dx, dy)) + ')');
    }
  });

  // ---- the primary action: whole, on the screen, not clipped or covered ----
  for (const b of (covered ? overlay : document.querySelector('#main') || document).querySelectorAll('button.primary')) {
    if (!inScope(b) || getComputedStyle(b).display === 'none') continue;
    const r = b.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.top < -0.5 || r.left < -0.5 || r.bottom > H + 0.5 || r.right > W + 0.5) {
      say('primary action outside the screen: ' + label(b));
      continue;
    }
    let cut = false;
    for (let a = b.parentElement; a && a !== document.body; a = a.parentElement) {
      const acs = getComputedStyle(a);
      if (acs.overflowX !== 'visible' || acs.overflowY !== 'visible') {
        const q = a.getBoundingClientRect();
        if (r.left < q.left - 0.5 || r.right > q.right + 0.5 || r.top < q.top - 0.5 || r.bottom > q.bottom + 0.5) {
          say('primary action cut off by ' + (a.id || a.className) + ': ' + label(b));
          cut = true;
          break;
        }
      }
    }
    const top = !cut && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (top && !b.contains(top) && !(top.closest && top.closest('#offline'))) say('primary action covered by ' + (top.id || top.className || top.tagName) + ': ' + label(b));
  }

  // ---- the page ----
  const de = document.documentElement;
  if (de.lang !== 'zh-CN') say('html lang is ' + de.lang);
  if (de.scrollWidth > W + 0.5 || document.body.scrollWidth > W + 0.5) say('the page scrolls sideways');
  for (const e of document.querySelectorAll('#app *')) {
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible' && shown(e)) {
      say('content wider than its box: ' + (e.id || e.className));
    }
  }
  const ta = getComputedStyle(de).touchAction;
  if (ta !== 'none') say('touch-action on html is ' + ta);
  return { problems, texts, targets: targets.length };
})()
