'use strict';
// help.js: 我要求助, the time bank (时间银行, issue 20): phone → the help
// wanted (陪伴聊天, 代买代办, 陪同就医: the community's list) → a day's half,
// which sends the SMS code → the code → done. Asking spends the
// resident's hours, so the phone is proven by its code as a cancel is
// (K.proveThen); the kiosk is told no name, address or balance.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  S['help/phone'] = () => K.phoneScreen('help/phone', async (phone) => {
    if (d().proofPhone !== phone) delete d().proof;
    const r = await K.api('GET', '/api/help-services');
    d().helpServices = (r && r.services) || [];
    K.show('help/service');
  }, '请输入您的11位手机号,志愿者接单和确认时长都发短信给您。');

  S['help/service'] = function () {
    const items = (d().helpServices || []).map((svc) => K.button([K.el('span', { class: 't' }, svc),
      K.el('span', { class: 'sub' }, '志愿者上门,用时间银行的时间') ], () => {
      d().helpService = svc;
      K.show('help/day');
    }, { cls: 'card' }));
    if (!items.length) items.push(K.el('p', { class: 'note' }, '现在没有可以求助的服务。请找工作人员。'));
    const list = K.paged('help/service', items, 'grid cards');
    return { id: 'help/service', title: '需要什么帮助', hint: '点一下需要的帮助。',
      body: K.section(K.lead('需要志愿者帮您做什么?'), ...list.nodes), mounted: list.mount };
  };

  // help/day: a tap on a half day sends the SMS code; once it is typed,
  // the request goes to the volunteers.
  S['help/day'] = function () {
    const now = K.now();
    const items = [];
    for (let i = 0; i < 7; i++) {
      const day = K.addDays(now.ymd, i);
      for (const [half, word] of [['am', '上午'], ['pm', '下午']]) {
        if (i === 0 && ((half === 'am' && now.hour >= 8) || (half === 'pm' && now.hour >= 13))) continue;
        items.push(K.button([K.el('span', { class: 't' }, (i === 0 ? '今天' : i === 1 ? '明天' : K.day(day).md) + ' ' + word),
          K.el('span', { class: 'sub' }, K.dayLabel(day))], (b) => {
          d().helpDay = day;
          d().helpHalf = half;
          return K.proveThen(b, ask, '请点“返回”检查,或找工作人员帮忙。');
        }, { cls: 'card', server: true }));
      }
    }
    const list = K.paged('help/day', items, 'grid slots');
    return {
      id: 'help/day',
      title: '选择时间',
      hint: '点一下日子,验证码会发到您的手机,输入后就发出求助。',
      body: K.section(K.el('div', { class: 'columns fit-first days' },
        K.el('div', {}, K.facts([['帮助', d().helpService], ['手机', K.mask(d().phone)]])),
        K.el('div', {}, K.lead('哪天需要帮助?点一下:'), ...list.nodes))),
      mounted: list.mount,
    };
  };

  // ask sends the help request with the phone's proof.
  async function ask() {
    const body = { phone: d().phone, service: d().helpService, day: d().helpDay, half_day: d().helpHalf };
    d().help = await K.submit('POST', '/api/help-requests', body, K.proofHeader());
    K.finish('help/done');
  }

  S['help/done'] = function () {
    const h = d().help;
    return {
      id: 'help/done',
      title: '求助已发出',
      hint: '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(K.el('p', { class: 'big-ok', id: 'outcome' }, '✓ 求助已发出'),
        K.el('p', {}, '社区正在短信联系志愿者,有人接了会按时上门。'),
        K.el('p', {}, '服务完成后,您会收到短信,时长属实请回复“1”。'),
        K.facts([['帮助', h.service], ['时间', K.el('span', { class: 'num' }, K.dayLabel(h.day) + ' ' + (h.half_day === 'am' ? '上午' : '下午'))], ['求助号', String(h.id)]]),
        K.doneActions()),
    };
  };
})(window.K);
