'use strict';
// widgets.js: the console's building blocks: labelled fields, forms that
// show the server's message, tables that turn into cards on a phone,
// modal dialogs, buttons that run an action once, and the status line.
(function (C) {
  const h = C.h;

  // ---- the status line ----

  let sayTimer = 0;
  // say shows a short message in the page's status line (role=status), for
  // screen readers too; kind 'err' shows it as an error.
  C.say = function (text, kind) {
    const el = C.$('#status');
    clearTimeout(sayTimer);
    el.className = 'status' + (kind ? ' ' + kind : '');
    el.textContent = '';
    // A fresh text node so that the same message is announced again.
    requestAnimationFrame(() => {
      el.textContent = text;
    });
    sayTimer = setTimeout(() => (el.textContent = ''), kind === 'err' ? 30000 : 10000);
  };

  // hush clears the status line (a click on it, a new page).
  C.hush = () => {
    clearTimeout(sayTimer);
    C.$('#status').textContent = '';
  };

  // errorText returns what to show for a failure.
  C.errorText = (e) => (e && e.message) || '出错了,请稍后再试。';

  // ---- fields ----

  // field wraps a control with its label (and a hint): <label for>.
  C.field = function (label, control, opts) {
    const o = opts || {};
    if (!control.id) control.id = C.uid('f');
    const kids = [h('label', { for: control.id }, label, control.required ? h('span', { class: 'req' }, '(必填)') : null)];
    if (o.hint) {
      const hid = C.uid('hint');
      kids.push(h('p', { class: 'hint', id: hid }, o.hint));
      control.setAttribute('aria-describedby', hid);
    }
    kids.push(control);
    return h('div', { class: 'field' + (o.wide ? ' wide' : '') + (o.class ? ' ' + o.class : '') }, kids);
  };

  // input makes an <input>; attrs as for h.
  C.input = (attrs) => h('input', Object.assign({ type: 'text' }, attrs));

  // select makes a <select> from [{value, label, disabled}] or [value, label] pairs.
  C.select = function (options, attrs) {
    const s = h('select', attrs || {});
    for (const o of options) {
      const opt = Array.isArray(o) ? { value: o[0], label: o[1] } : o;
      s.append(h('option', { value: String(opt.value), disabled: opt.disabled }, opt.label));
    }
    if (attrs && attrs.value !== undefined) s.value = String(attrs.value);
    return s;
  };

  // check makes a checkbox with its label after it.
  C.check = function (label, attrs) {
    const box = h('input', Object.assign({ type: 'checkbox', id: C.uid('chk') }, attrs || {}));
    return h('div', { class: 'check' }, box, h('label', { for: box.id }, label));
  };

  // checked returns the checkbox inside a C.check.
  C.box = (wrap) => wrap.querySelector('input');

  // ---- forms ----

  // form makes a form whose submit runs o.submit(form) once at a time;
  // a failure shows the server's message in the form's alert, by the
  // button. o.label is the submit button's text.
  C.form = function (o, ...kids) {
    const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const ok = h('p', { class: 'form-ok', role: 'status' });
    const btn = h('button', { type: 'submit', class: o.danger ? 'danger' : 'primary' }, o.label || '保存');
    const f = h('form', { class: 'form' + (o.class ? ' ' + o.class : ''), novalidate: true, 'aria-label': o.name || null }, kids,
      h('div', { class: 'actions' }, btn, o.extra || null), err, ok);
    f.showError = (text) => {
      err.textContent = text;
      err.hidden = !text;
    };
    f.showOK = (text) => {
      ok.textContent = text || '';
    };
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (btn.disabled) return;
      f.showError('');
      f.showOK('');
      const first = C.$$('input, select, textarea', f).find((x) => !x.checkValidity());
      if (first) {
        f.showError(validity(first));
        first.focus();
        return;
      }
      btn.disabled = true;
      f.setAttribute('aria-busy', 'true');
      try {
        await o.submit(f);
      } catch (e) {
        f.showError(C.errorText(e));
      } finally {
        btn.disabled = false;
        f.removeAttribute('aria-busy');
      }
    });
    return f;
  };

  // validity says in Chinese what is wrong with a control the browser
  // found invalid, naming its label.
  function validity(el) {
    const lab = el.labels && el.labels[0] ? el.labels[0].childNodes[0].textContent.trim() : '这一项';
    const v = el.validity;
    if (v.valueMissing) return `请填写“${lab}”。`;
    if (v.tooLong) return `“${lab}”太长了。`;
    if (v.tooShort) return `“${lab}”至少要 ${el.minLength} 位。`;
    if (v.rangeUnderflow || v.rangeOverflow) return `“${lab}”应在 ${el.min} 到 ${el.max} 之间。`;
    if (v.patternMismatch) return el.title || `“${lab}”的格式不对。`;
    if (v.typeMismatch || v.badInput || v.stepMismatch) return `“${lab}”的格式不对。`;
    return `请检查“${lab}”。`;
  }

  // ---- buttons ----

  // button makes a button that runs fn once at a time; a failure goes to
  // the status line. label is its text; attrs may add aria-label.
  C.button = function (label, fn, attrs) {
    const b = h('button', Object.assign({ type: 'button' }, attrs || {}), label);
    b.addEventListener('click', async () => {
      if (b.getAttribute('aria-disabled') === 'true') return;
      b.setAttribute('aria-disabled', 'true');
      try {
        await fn(b);
      } catch (e) {
        C.say(C.errorText(e), 'err');
      } finally {
        b.removeAttribute('aria-disabled');
      }
    });
    return b;
  };

  // link makes an in-console link.
  C.link = (label, hash, attrs) => h('a', Object.assign({ href: hash }, attrs || {}), label);

  // ---- sections, tables, badges ----

  // section makes a <section> named by its <h2>.
  C.section = function (title, ...kids) {
    const id = C.uid('sec');
    return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), kids);
  };

  // table makes a table from columns [{label, cell(row) → node|text, class}]
  // and rows; on a phone each row becomes a card labelled cell by cell.
  C.table = function (cols, rows, o) {
    const opts = o || {};
    if (!rows.length) return h('p', { class: 'empty' }, opts.empty || '没有记录。');
    const t = h('table', { class: 'grid' + (opts.class ? ' ' + opts.class : '') },
      opts.caption ? h('caption', { class: opts.captionVisible ? '' : 'sr-only' }, opts.caption) : null,
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', class: c.class || null }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', { class: opts.rowClass ? opts.rowClass(r) || null : null },
        cols.map((c) => {
          const v = c.cell(r);
          // One wrapper per cell: on a phone the cell is a grid of its label and this.
          return h('td', { 'data-label': c.label, class: c.class || null }, h('div', { class: 'cell' }, v === '' || v === null || v === undefined ? '–' : v));
        })))));
    return h('div', { class: 'table-wrap' }, t);
  };

  // badge is a short coloured word; the word carries the meaning, the
  // colour only helps.
  C.badge = (text, kind) => h('span', { class: 'badge ' + (kind || '') }, text);

  // ---- dialogs ----

  let openDialog = null;

  // dialog opens a modal <dialog> with a title, a body and a 关闭 button;
  // focus returns to where it was when it closes.
  C.dialog = function (title, ...body) {
    C.closeDialog();
    const back = document.activeElement;
    const id = C.uid('dlg');
    const close = h('button', { type: 'button', class: 'quiet close' }, '关闭');
    const d = h('dialog', { 'aria-labelledby': id, class: 'dialog' },
      h('div', { class: 'dialog-head' }, h('h2', { id }, title), close), h('div', { class: 'dialog-body' }, body));
    close.addEventListener('click', () => d.close());
    d.addEventListener('close', () => {
      d.remove();
      if (openDialog === d) openDialog = null;
      // Focus goes back to where it was, unless the page has moved it on
      // already (an answer that arrived before this close event, a new
      // button in place of the old one).
      const now = document.activeElement;
      const lost = !now || now === document.body || d.contains(now);
      if (lost && back && back.isConnected && back.focus) back.focus();
    });
    document.body.append(d);
    d.showModal();
    openDialog = d;
    return d;
  };

  // closeDialog closes the open dialog, if any.
  C.closeDialog = () => {
    if (openDialog) openDialog.close();
  };

  // confirm asks a yes/no question in a dialog; it resolves true for yes.
  C.confirm = function (title, text, yes, danger) {
    return new Promise((resolve) => {
      let answered = false;
      const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, yes || '确定');
      const no = h('button', { type: 'button' }, '不了');
      const d = C.dialog(title, h('p', {}, text), h('div', { class: 'actions' }, ok, no));
      ok.addEventListener('click', () => {
        answered = true;
        d.close();
        resolve(true);
      });
      no.addEventListener('click', () => d.close());
      d.addEventListener('close', () => {
        if (!answered) resolve(false);
      });
      no.focus();
    });
  };
})(window.C);
