'use strict';
// mine.js: 我的预约 (phone → live bookings, home-service orders and
// enrolments as big cards → cancel), the closed mode, and pairing. A typed
// phone proves nothing (docs/security.md): the cards show no check-in code
// and masked names; seeing the codes or cancelling takes the 6-digit SMS
// verification code, typed on the same keypad.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  const statusWords = {
    pending: '待确认(请回短信1)', confirmed: '已确认', checked_in: '已签到',
    waitlisted: '候补中', offered: '候补到号,请回短信确认',
  };
  const orderWords = { requested: '待派单', dispatched: '已派单,等待接单', accepted: '已接单' };
  const serviceWords = { haircut: '上门理发', repair: '上门维修', medicine: '送药上门' };
  const what = { booking: '预约', order: '上门服务', enrolment: '报名' };

  S['mine/phone'] = () => K.phoneScreen('mine/phone', async (phone) => {
    if (d().proofPhone !== phone) delete d().proof;
    await loadMine(phone);
    K.show('mine/list');
  }, '请输入预约时用的11位手机号。');

  // proofHeader carries the proof of the phone's verification code, if the
  // resident typed it in this session.
  function proofHeader() {
    return d().proof && d().proofPhone === d().phone ? { 'X-Verify-Proof': d().proof } : {};
  }
  const verified = () => !!proofHeader()['X-Verify-Proof'];
  K.proofHeader = proofHeader;

  // K.proveThen runs fn (which sends K.proofHeader()) once the phone is
  // proved: at once when its SMS code was typed in this session, else after
  // one tap sends the code and the resident types it. Moving a booking or
  // a home visit takes something away, as a cancel does (docs/security.md).
  K.proveThen = function (btn, fn, next) {
    if (verified()) return K.busy(btn, fn, next);
    d().verifyThen = fn;
    d().verifyNext = next;
    return sendCode(btn, 'then');
  };

  async function loadMine(phone) {
    const q = '?phone=' + encodeURIComponent(phone);
    const h = proofHeader();
    const [b, o, e] = await Promise.all([K.api('GET', '/api/bookings' + q, null, h), K.api('GET', '/api/orders' + q, null, h),
      K.api('GET', '/api/enrolments' + q, null, h)]);
    const live = (s) => s in statusWords;
    d().mine = ((b && b.bookings) || []).filter((x) => live(x.status)).map((x) => ({ kind: 'booking', x }))
      .concat(((o && o.orders) || []).map((x) => ({ kind: 'order', x })))
      .concat(((e && e.enrolments) || []).filter((x) => live(x.status)).map((x) => ({ kind: 'enrolment', x })));
  }

  // card is one booking, order or enrolment in a few short lines.
  function card(item) {
    const x = item.x;
    if (item.kind === 'booking') {
      const status = statusWords[x.status] + (x.status === 'waitlisted' && x.position ? ',第' + x.position + '位' : '');
      const code = x.code ? K.el('span', { class: 'num' }, x.code) : K.el('span', { class: 'hidden-code' }, '验证后显示');
      return [K.el('p', { class: 't' }, x.event_title),
        K.el('p', {}, K.dayLabel(x.slot_start) + ' ', K.el('span', { class: 'num' }, K.span(x.slot_start, x.slot_end)), ' · ' + x.place),
        K.el('p', {}, status + ' · 签到码 ', code)];
    }
    if (item.kind === 'order') {
      const status = x.awaiting_reply ? '待确认(请回短信1)' : (orderWords[x.status] || '') + (x.partner ? ' · ' + x.partner : '');
      const addr = x.address && x.address.estate ? x.address.estate + (x.address.building ? x.address.building + '号楼' : '') + '…' : '';
      return [K.el('p', { class: 't' }, serviceWords[x.kind] || '上门服务'),
        K.el('p', {}, K.dayLabel(x.day) + ' ' + (x.half_day === 'am' ? '上午' : '下午') + (addr ? ' · ' + addr : '')),
        K.el('p', {}, status)];
    }
    const status = statusWords[x.status] + (x.status === 'waitlisted' && x.position ? ',第' + x.position + '位' : '');
    if (x.class) return [K.el('p', { class: 't' }, x.programme), K.el('p', {}, '课程报名 · 整个学期 · ' + status)];
    return [K.el('p', { class: 't' }, x.programme), K.el('p', {}, '托管报名 · ' + x.children.length + '个孩子 · ' + status)];
  }

  // sendCode texts the phone a verification code (one tap) and shows the
  // keypad to type it; purpose is 'cancel' (then the chosen item is
  // cancelled) or 'codes' (then the list shows the check-in codes).
  function sendCode(btn, purpose) {
    return K.busy(btn, async () => {
      const r = await K.api('POST', '/api/verify', { phone: d().phone });
      d().verifyFor = purpose;
      d().codeMsg = r.message;
      delete d().vcode;
      K.show('mine/verify');
    }, '请稍后再试,或找工作人员帮忙。');
  }

  S['mine/list'] = function () {
    const items = (d().mine || []).map((item, i) => {
      const cancel = K.button('取消这个' + what[item.kind], () => {
        d().cancel = i;
        K.show('mine/cancel');
      }, { cls: 'cancel' });
      cancel.dataset[item.kind] = item.x.id;
      return K.el('div', { class: 'box mine-card' }, K.el('div', { class: 'lines' }, ...card(item)), cancel);
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '这个手机号现在没有预约。要预约请点“首页”,再点“开始”。'));
    // One tap (and the phone's code) switches this phone to voice calls:
    // confirmations and reminders are spoken, 按1确认 按2取消.
    items.push(K.el('div', { class: 'box mine-card voice-card' },
      K.el('div', { class: 'lines' }, K.el('p', { class: 't' }, '看不清短信?'), K.el('p', {}, '可以改成打电话告诉您,按1确认、按2取消。')),
      K.button('用电话语音通知我', (b) => K.proveThen(b, useVoice, '请稍后再试,或找工作人员帮忙。'), { server: true, id: 'use-voice' })));
    const list = K.paged('mine/list', items, 'grid wide');
    const hasCodes = (d().mine || []).some((it) => it.kind === 'booking');
    const show = hasCodes && !verified()
      ? K.button('查看签到码', (b) => sendCode(b, 'codes'), { server: true, id: 'show-codes' }) : null;
    return {
      id: 'mine/list',
      title: '我的预约',
      hint: '手机 ' + K.mask(d().phone) + ' 的预约。看签到码或取消要先输入短信验证码。',
      body: K.section(K.el('div', { class: 'mine-head' }, K.lead('手机 ' + K.mask(d().phone) + ' 的预约:'), show), ...list.nodes),
      mounted: list.mount,
    };
  };

  // useVoice switches the phone to voice calls, with its proof.
  async function useVoice() {
    await K.api('POST', '/api/residents/channel', { phone: d().phone, channel: 'voice' }, proofHeader());
    K.finish('mine/voice');
  }

  S['mine/voice'] = () => ({
    id: 'mine/voice',
    title: '已改成电话通知',
    hint: '1分钟后自动回到首页。',
    autoHome: 60,
    body: K.section(K.el('p', { class: 'big-ok' }, '✓ 以后打电话通知您'),
      K.el('p', {}, '预约确认、活动提醒会打到尾号' + d().phone.slice(-4) + '的手机,听完按1确认、按2取消。家属照常收到短信。'),
      K.el('p', {}, '想改回短信,请找工作人员。'), K.doneActions()),
  });

  // cancelChosen cancels the chosen item with the proof of the phone.
  async function cancelChosen() {
    const item = d().mine[d().cancel];
    const path = '/api/' + { booking: 'bookings', order: 'orders', enrolment: 'enrolments' }[item.kind] + '/' + item.x.id + '/cancel';
    await K.api('POST', path, { phone: d().phone }, proofHeader());
    d().cancelled = item;
    K.finish('mine/done');
  }

  S['mine/cancel'] = function () {
    const item = d().mine[d().cancel];
    // Without a proof, one tap sends the code and goes on to the keypad.
    const yes = verified()
      ? K.button('确定取消', (b) => K.busy(b, cancelChosen), { primary: true, server: true, id: 'confirm-cancel' })
      : K.button('确定取消,发验证码', (b) => sendCode(b, 'cancel'), { primary: true, server: true, id: 'confirm-cancel' });
    const no = K.button('不取消', () => K.back(), { id: 'keep' });
    return {
      id: 'mine/cancel',
      title: '确定要取消吗?',
      hint: verified() ? '取消后名额会让给别人。' : '取消后名额会让给别人。为了保护您的预约,验证码会发到您的手机。',
      body: K.section(K.lead('确定要取消下面这个' + what[item.kind] + '吗?'),
        K.el('div', { class: 'box' }, ...card(item)),
        verified() ? null : K.el('p', { class: 'note' }, '点“确定取消”后,短信验证码会发到尾号' + d().phone.slice(-4) + '的手机。'),
        K.el('div', { class: 'actions' }, no, K.el('span', { class: 'spacer' }), yes)),
    };
  };

  S['mine/verify'] = function () {
    const cancel = d().verifyFor === 'cancel';
    const again = K.button('重新发验证码', (b) => sendCode(b, d().verifyFor), { server: true, id: 'resend-code' });
    return {
      id: 'mine/verify',
      title: '输入短信验证码',
      hint: '验证码5分钟内有效。没收到可以点“重新发验证码”。',
      body: K.section(K.entry({
        field: 'vcode', length: 6, groups: [3, 3],
        before: K.el('p', { class: 'code-sent' }, d().codeMsg || ''),
        lead: '请输入短信里的6位验证码。', label: cancel ? '确定取消' : '确定', server: true, extra: again,
        done: (v, btn) => K.busy(btn, async () => {
          const r = await K.api('POST', '/api/verify/check', { phone: d().phone, code: v });
          d().proof = r.proof;
          d().proofPhone = d().phone;
          delete d().vcode;
          if (cancel) return cancelChosen();
          if (d().verifyFor === 'then') return d().verifyThen();
          await loadMine(d().phone);
          K.show('mine/list');
        }, '请核对短信里的验证码再输入一次,或点“重新发验证码”。'),
      })),
    };
  };

  S['mine/done'] = function () {
    const item = d().cancelled;
    const words = {
      booking: () => '“' + item.x.event_title + '”的预约已取消,短信会通知您。',
      order: () => (serviceWords[item.x.kind] || '上门服务') + '已取消。',
      enrolment: () => '托管报名已取消,短信会通知您。',
    };
    return {
      id: 'mine/done',
      title: '已取消',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(K.el('p', { class: 'big-ok' }, '✓ 已经取消了'), K.el('p', {}, words[item.kind]()), K.doneActions()),
    };
  };

  // ---- modes (check-in mode is in scan.js) ----
  S.closed = () => ({
    id: 'closed',
    title: '暂停服务',
    hint: '需要帮忙请找工作人员。',
    body: K.section(K.el('h2', { class: 'closed-msg' }, (K.data.mode && K.data.mode.message) || '自助机暂停服务,请到服务台找工作人员。')),
  });

  S.pair = function () {
    return {
      id: 'pair',
      title: '自助机配对',
      hint: '配对码由工作人员在管理页面生成,8位数字。',
      body: K.section(K.data.forgotten ? K.el('p', {}, K.data.forgotten) : null,
        K.el('h2', { class: 'pair-msg' }, '请联系工作人员配对'), K.entry({
        field: 'pairing', length: 8, groups: [4, 4], label: '配对', server: false,
        lead: '工作人员:请输入8位配对码。',
        done: (v, b) => K.busy(b, () => K.pair(v), '请核对配对码,或在管理页面重新生成。'),
      })),
    };
  };

  K.pair = async function (code) {
    const r = await K.api('POST', '/api/kiosk/pair', { code });
    K.paired(r.token, r.kiosk);
  };
})(window.K);
