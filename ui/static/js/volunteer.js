'use strict';
// volunteer.js: 我要帮忙, a volunteer's shift in at most 6 taps: this
// week's shifts with the places left → phone → confirm (报名即同意接收志愿
// 短信) → the phone's SMS verification code → done. A typed phone proves
// nothing, so signing up takes the code (docs/security.md); someone who is
// not yet a volunteer joins with the name on file for the phone.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  const shift = () => (K.data.shifts || []).find((s) => s.id === d().shiftId);

  // loadShifts reads this week's shifts of the kiosk's community.
  K.loadShifts = async function () {
    const r = await K.api('GET', '/api/volunteer-shifts');
    K.data.shifts = (r && r.shifts) || [];
  };

  S['volunteer/list'] = function () {
    const items = (K.data.shifts || []).map((s) => {
      const b = K.button([K.el('span', { class: 't' }, s.activity + ' · ' + s.task),
        K.el('span', { class: 'sub' }, K.dayLabel(s.start) + ' ' + K.span(s.start, s.end)),
        K.el('span', { class: 'sub' }, '地点:' + s.place),
        K.el('span', { class: 'sub' }, ...(s.left > 0 ? ['还需要 ', K.el('span', { class: 'num' }, String(s.left)), ' 人']
          : [K.el('span', { class: 'state-word' }, '已报满,可以候补')]))], () => {
        d().shiftId = s.id;
        K.show('volunteer/phone');
      }, { cls: 'card' });
      b.dataset.shift = s.id;
      return b;
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '这一周没有需要帮忙的志愿活动。请点“首页”回去。'));
    const list = K.paged('volunteer/list', items, 'grid cards');
    return { id: 'volunteer/list', title: '我要帮忙', hint: '点一下您想参加的志愿活动。',
      say: '这是这一周的志愿活动。点一下您想参加的。',
      body: K.section(K.lead('这一周需要志愿者的活动:'), ...list.nodes), mounted: list.mount };
  };

  S['volunteer/phone'] = () => K.phoneScreen('volunteer/phone', async (phone) => {
    if (d().proofPhone !== phone) delete d().proof;
    await K.loadNames(phone);
    K.show('volunteer/confirm');
  }, '请输入您的11位手机号,报名结果和签到码会发短信给您。');

  // signUp sends the signup with the phone's proof.
  async function signUp() {
    const s = shift();
    d().helpSignup = await K.submit('POST', '/api/volunteer-shifts/' + s.id + '/signups',
      { phone: d().phone, name: d().name || '', consent: true }, K.proofHeader());
    K.finish('volunteer/done');
  }

  S['volunteer/confirm'] = function () {
    const s = shift();
    const ok = K.button('报名', (b) => K.proveThen(b, signUp, '请点“返回”检查,或找工作人员帮忙。'),
      { primary: true, server: true, id: 'confirm' });
    return {
      id: 'volunteer/confirm',
      title: '请核对',
      hint: '点“报名”后,验证码会发到您的手机。',
      body: K.section(K.el('div', { class: 'columns fit-first' },
        K.el('div', {}, K.facts([['活动', s.activity], ['任务', s.task], ['时间', K.dayLabel(s.start) + ' ' + K.span(s.start, s.end)],
          ['地点', s.place], ['手机', K.mask(d().phone)]])),
        K.el('div', {}, K.el('p', {}, s.left > 0 ? '报名后凭短信里的签到码签到、签退。' : '已报满,报名后排队候补,有空位自动为您报名并短信通知。'),
          K.el('p', { class: 'note' }, '报名即同意社区给您发志愿活动短信,回复R可以退订。'),
          K.namePicker(), K.el('div', { class: 'actions' }, ok)))),
    };
  };

  S['volunteer/done'] = function () {
    const g = d().helpSignup;
    const waiting = g.signup.status === 'waitlist';
    return {
      id: 'volunteer/done',
      title: waiting ? '已排队候补' : '报名成功',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(K.el('p', { class: 'big-ok' }, waiting ? '✓ 已排队候补' : '✓ 报名成功,谢谢您!'),
        K.el('p', {}, g.shift.activity + ' · ' + K.dayLabel(g.shift.start) + ' ' + K.span(g.shift.start, g.shift.end) + ' · ' + g.shift.place),
        g.signup.code ? K.el('p', {}, '签到码 ', K.el('span', { class: 'num' }, g.signup.code), ',短信也会发给您。') : null,
        // The place's QR code, on this kiosk only: scanned at the door it
        // checks in, then out, as the code does.
        g.checkin_token ? K.el('p', {}, K.el('img', { class: 'qr', src: '/qr/' + encodeURIComponent(g.checkin_token) + '.png',
          alt: '签到二维码' }), K.el('br'), '到场和离开时各扫一次这个二维码') : null,
        K.el('p', {}, '不能来请回复短信“取消' + g.shift.id + '”。'), K.doneActions()),
    };
  };
})(window.K);
