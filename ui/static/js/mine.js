'use strict';
// mine.js: 我的预约 (phone → live bookings and enrolments as big cards →
// cancel with a confirm step), the closed mode, and pairing.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  const statusWords = {
    pending: '待确认(请回短信1)', confirmed: '已确认', checked_in: '已签到',
    waitlisted: '候补中', offered: '候补到号,请回短信确认',
  };

  S['mine/phone'] = () => K.phoneScreen('mine/phone', async (phone) => {
    await loadMine(phone);
    K.show('mine/list');
  }, '请输入预约时用的11位手机号。');

  async function loadMine(phone) {
    const q = '?phone=' + encodeURIComponent(phone);
    const [b, e] = await Promise.all([K.api('GET', '/api/bookings' + q), K.api('GET', '/api/enrolments' + q)]);
    const live = (s) => s in statusWords;
    d().mine = ((b && b.bookings) || []).filter((x) => live(x.status)).map((x) => ({ kind: 'booking', x }))
      .concat(((e && e.enrolments) || []).filter((x) => live(x.status)).map((x) => ({ kind: 'enrolment', x })));
  }

  // card is one booking or enrolment in a few short lines.
  function card(item) {
    const x = item.x;
    const status = statusWords[x.status] + (x.status === 'waitlisted' && x.position ? ',第' + x.position + '位' : '');
    if (item.kind === 'booking') {
      return [K.el('p', { class: 't' }, x.event_title),
        K.el('p', {}, K.dayLabel(x.slot_start) + ' ', K.el('span', { class: 'num' }, K.span(x.slot_start, x.slot_end)), ' · ' + x.place),
        K.el('p', {}, status + ' · 签到码 ', K.el('span', { class: 'num' }, x.code))];
    }
    return [K.el('p', { class: 't' }, x.programme), K.el('p', {}, '托管报名 · ' + x.children.length + '个孩子 · ' + status)];
  }

  S['mine/list'] = function () {
    const items = (d().mine || []).map((item, i) => {
      const cancel = K.button(item.kind === 'booking' ? '取消这个预约' : '取消这个报名', () => {
        d().cancel = i;
        K.show('mine/cancel');
      }, { cls: 'cancel' });
      cancel.dataset[item.kind] = item.x.id;
      return K.el('div', { class: 'box mine-card' }, K.el('div', { class: 'lines' }, ...card(item)), cancel);
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '这个手机号现在没有预约。要预约请点“首页”,再点“开始”。'));
    const list = K.paged('mine/list', items, 'grid wide');
    return {
      id: 'mine/list',
      title: '我的预约',
      hint: '手机 ' + K.mask(d().phone) + ' 的预约。不想去了可以取消。',
      body: K.section(K.lead('手机 ' + K.mask(d().phone) + ' 的预约:'), ...list.nodes),
      mounted: list.mount,
    };
  };

  S['mine/cancel'] = function () {
    const item = d().mine[d().cancel];
    const yes = K.button('确定取消', (b) => K.busy(b, async () => {
      const path = item.kind === 'booking' ? '/api/bookings/' + item.x.id + '/cancel' : '/api/enrolments/' + item.x.id + '/cancel';
      await K.api('POST', path, { phone: d().phone });
      d().cancelled = item;
      K.finish('mine/done');
    }), { primary: true, server: true, id: 'confirm-cancel' });
    const no = K.button('不取消', () => K.back(), { id: 'keep' });
    return {
      id: 'mine/cancel',
      title: '确定要取消吗?',
      hint: '取消后名额会让给别人。',
      body: K.section(K.lead('确定要取消下面这个' + (item.kind === 'booking' ? '预约' : '报名') + '吗?'),
        K.el('div', { class: 'box' }, ...card(item)),
        K.el('div', { class: 'actions' }, no, K.el('span', { class: 'spacer' }), yes)),
    };
  };

  S['mine/done'] = function () {
    const item = d().cancelled;
    return {
      id: 'mine/done',
      title: '已取消',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(K.el('p', { class: 'big-ok' }, '✓ 已经取消了'),
        K.el('p', {}, item.kind === 'booking' ? '“' + item.x.event_title + '”的预约已取消,短信会通知您。' : '托管报名已取消,短信会通知您。'),
        K.doneActions()),
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
