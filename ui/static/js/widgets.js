'use strict';
// widgets.js: the parts screens are made of: paged lists (no scrolling,
// no swiping: 上一页/下一页), the 0–9 keypad with digit read-back, the name
// picker, and lists of facts.
(function (K) {
  // screen wraps a screen's parts.
  K.section = (...parts) => K.el('section', { class: 'screen' }, ...parts);
  K.lead = (text) => K.el('p', { class: 'lead' }, text);

  // facts shows label/value pairs.
  K.facts = (pairs) => K.el('dl', { class: 'facts' },
    ...pairs.filter((p) => p[1]).flatMap(([k, v]) => [K.el('dt', {}, k), K.el('dd', {}, v)]));

  // paged lays items out in a grid and splits them into pages that fit the
  // screen at any text size; it never scrolls. key remembers the page
  // within the session. It returns {nodes, mount}: mount once attached.
  K.paged = function (key, items, cls) {
    const box = K.el('div', { class: 'pagebox ' + (cls || 'grid') });
    const where = K.el('p', { class: 'where' });
    const prev = K.button('上一页', () => turn(-1));
    const next = K.button('下一页', () => turn(1));
    const pager = K.el('div', { class: 'pager' }, prev, where, next);
    let pages = [[]];

    function layout() {
      pager.hidden = false; // keep its room while measuring
      box.replaceChildren();
      pages = [];
      let cur = [];
      for (const it of items) {
        box.append(it);
        if (cur.length && box.scrollHeight > box.clientHeight + 1) {
          it.remove();
          pages.push(cur);
          cur = [it];
          box.replaceChildren(it);
        } else {
          cur.push(it);
        }
      }
      pages.push(cur);
      pager.hidden = pages.length < 2;
      turn(0);
    }

    function turn(delta) {
      const pg = K.session.pages;
      const p = Math.max(0, Math.min(pages.length - 1, (pg[key] || 0) + delta));
      pg[key] = p;
      box.replaceChildren(...pages[p]);
      where.replaceChildren('第 ', K.el('span', { class: 'num' }, String(p + 1)), ' 页,共 ',
        K.el('span', { class: 'num' }, String(pages.length)), ' 页');
      K.block(prev, p === 0);
      K.block(next, p === pages.length - 1);
      if (delta) K.readScreenIfAuto();
    }

    return { nodes: [box, pager], mount: layout };
  };

  K.readScreenIfAuto = () => { if (K.session.autoRead) K.readScreen(); };

  // entry is a keypad screen body for digits kept in session.d[field]:
  // a phone number (11 digits) or a code. Each digit is spoken as it is
  // tapped and the whole number is read back, digit by digit, once
  // complete. opts: field, length, groups, lead, label (of the button),
  // check(digits) → a problem in words or '', done(digits, button), server,
  // before (a node above the lead), extra (a button beside the main one).
  K.entry = function (o) {
    const d = K.session.d;
    const len = o.length;
    const min = o.min || len; // fewest digits accepted (a room: 3 of up to 4)
    let v = d[o.field] || '';
    const display = K.el('p', { class: 'display num', id: 'digits' });
    const msg = K.el('p', { class: 'entry-msg', id: 'entry-msg' });
    const ok = K.button(o.label || '确定', () => o.done(v, ok), { primary: true, server: o.server !== false, blocked: true, id: 'entry-ok' });

    function draw() {
      // The typed digits in ink, the places still to fill as grey "_".
      const bounds = new Set();
      let acc = 0;
      for (const n of o.groups || [len]) bounds.add(acc += n);
      let typed = '', rest = '';
      for (let i = 0; i < len; i++) {
        const ch = (i > 0 && bounds.has(i) ? ' ' : '') + (i < v.length ? v[i] : '_');
        if (i < v.length) typed += ch; else rest += ch;
      }
      display.replaceChildren(typed, rest ? K.el('span', { class: 'rest' }, rest) : '');
      let problem = '';
      if (v.length < min) {
        msg.replaceChildren('已输入 ', K.el('span', { class: 'num' }, String(v.length)), ' 位,还差 ',
          K.el('span', { class: 'num' }, String(min - v.length)), ' 位。');
      } else if (v.length < len) {
        problem = o.check ? o.check(v) : '';
        msg.replaceChildren(problem ? K.el('strong', { class: 'bad' }, problem) : '对的话请点“' + (o.label || '确定') + '”。');
      } else {
        problem = o.check ? o.check(v) : '';
        msg.replaceChildren(problem ? K.el('strong', { class: 'bad' }, problem) : '请核对一下,对的话请点“' + (o.label || '确定') + '”。');
      }
      K.block(ok, v.length < min || !!problem || (o.ready && !o.ready()));
    }

    function set(nv) {
      v = nv;
      if (v) d[o.field] = v; else delete d[o.field];
      K.session.touched = true;
      draw();
    }

    const pad = K.keypad((k) => {
      if (v.length >= len) {
        K.speech.say('已经' + len + '位了');
        return;
      }
      set(v + k);
      K.speech.say(K.digitWord(k));
      if (v.length === len) {
        const p = o.check ? o.check(v) : '';
        K.speech.say(p ? p : '您输入的是:' + K.sayDigits(v, o.groups) + '。对的话请点' + (o.label || '确定') + '。', true);
      }
    }, () => { if (v) { set(v.slice(0, -1)); K.speech.say('删除'); } }, () => { set(''); K.speech.say('已清空'); });

    draw();
    if (o.redraw) o.redraw(draw);
    return K.el('div', { class: o.before ? 'entry with-before' : 'entry' },
      K.el('div', { class: 'side' }, o.before || null, o.lead ? K.el('p', { class: 'entry-lead' }, o.lead) : null, display, msg,
        K.el('div', { class: 'actions' }, o.extra || null, ok)),
      pad);
  };

  // keypad is the 0–9 keypad with 删除 and 清空: digit(k) for a digit
  // key, del() and clear() for the two word keys.
  K.keypad = function (digit, del, clear) {
    const pad = K.el('div', { class: 'keypad' });
    const key = (k) => K.button(k, () => digit(k), { cls: 'digit' });
    for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9']) pad.append(key(k));
    pad.append(K.button('删除', del, { cls: 'word' }), key('0'), K.button('清空', clear, { cls: 'word' }));
    return pad;
  };

  // phoneCheck explains what is wrong with 11 typed digits, or returns ''.
  // A landline (0 first) cannot take an SMS: say so, and what to do.
  K.phoneCheck = (v) => (K.validPhone(v) ? ''
    : v[0] === '0' ? '这是座机号码,收不到短信。请点“清空”输入手机号;没有手机的,请找工作人员帮您办。'
      : '手机号是1开头的11位数字,请点“清空”再输入一次;还不行请找工作人员帮忙。');

  // phoneScreen is the phone step of a flow: 11 digits, then next(phone)
  // runs (it may call the server) with the button blocked meanwhile.
  K.phoneScreen = function (id, next, lead) {
    return {
      id,
      title: '输入手机号',
      hint: '用手机号接收短信通知。号码只用于这次办事。',
      body: K.section(K.entry({
        field: 'phone', length: 11, groups: [3, 4, 4],
        lead: lead || '请在数字键上输入您的11位手机号。',
        label: '确定', check: K.phoneCheck,
        done: (v, btn) => K.busy(btn, () => next(v), '请检查号码,或找工作人员帮忙。'),
      })),
    };
  };

  // namePicker lets the resident choose a name known for the phone, or
  // none; nothing is ever typed. The choice is kept in session.d.name.
  K.namePicker = function () {
    const d = K.session.d;
    const names = (d.names || []).slice(0, 3);
    if (!names.length) return K.el('p', { class: 'namepick' }, '姓名:这个号码还没有登记姓名,不用填。');
    if (d.name === undefined) d.name = names[0];
    const row = K.el('div', { class: 'actions choices' });
    const opts = names.concat(['']);
    function draw() {
      row.replaceChildren(...opts.map((n) => {
        const chosen = (d.name || '') === n;
        const b = K.button((chosen ? '✓ ' : '') + (n || '不留姓名'), () => { d.name = n; draw(); },
          { cls: chosen ? 'chosen' : '' });
        b.setAttribute('aria-pressed', chosen ? 'true' : 'false');
        return b;
      }));
    }
    draw();
    return K.el('div', { class: 'namepick' }, K.el('p', {}, '用哪个姓名?(点一下选择)'), row);
  };
})(window.K);
