'use strict';
// classes.js: 课程报名, a partner's free term class (书法, 瑜伽): the open
// classes with places left → phone → the age where the class has an age
// range → confirm → done, or the waitlist position. The term's enrolment
// is a programme enrolment on the server (/api/class-enrolments), so the
// SMS, the waitlist offer and its reply 1 are the 托管 ones.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;
  const WEEKDAYS = ['', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六', '星期日'];

  const klass = () => (K.data.classes || []).find((c) => c.id === d().classId);
  const schedule = (c) => '每' + WEEKDAYS[c.weekday] + ' ' + c.start_time + '–' + c.end_time;
  const term = (c) => K.day(c.first_date).md + ' 至 ' + K.day(c.last_date).md;
  const ranged = (c) => c.min_age !== 0 || c.max_age !== 0;

  // loadClasses reads the open classes of the kiosk's community.
  K.loadClasses = async function () {
    const r = await K.api('GET', '/api/classes');
    K.data.classes = (r && r.classes) || [];
  };

  S['class/list'] = function () {
    const items = (K.data.classes || []).map((c) => {
      const left = Math.max(0, c.capacity - c.taken);
      return K.button([K.el('span', { class: 't' }, c.title),
        K.el('span', { class: 'sub' }, schedule(c)),
        K.el('span', { class: 'sub' }, term(c) + ' · ' + (c.place || '')),
        K.el('span', { class: 'sub' }, ...(left > 0 && !c.waiting ? ['还有 ', K.el('span', { class: 'num' }, String(left)), ' 个名额']
          : [K.el('span', { class: 'state-word' }, '已满,可以排队候补')]))], () => {
        d().classId = c.id;
        K.show('class/phone');
      }, { cls: 'card' });
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '现在没有可以报名的课程。请点“首页”回去。'));
    const list = K.paged('class/list', items, 'grid cards');
    return { id: 'class/list', title: '选择课程', hint: '点一下要报名的课程,一次报一个学期。',
      body: K.section(K.lead('请选择课程:'), ...list.nodes), mounted: list.mount };
  };

  S['class/phone'] = () => K.phoneScreen('class/phone', async (phone) => {
    await K.loadNames(phone);
    K.show(ranged(klass()) ? 'class/age' : 'class/confirm');
  }, '请输入您的11位手机号,报名结果会发短信给您。');

  S['class/age'] = function () {
    const c = klass();
    const out = [];
    for (let a = c.min_age; a <= c.max_age; a++) {
      out.push(K.button(a + '岁', () => {
        d().classAge = a;
        K.show('class/confirm');
      }));
    }
    const list = K.paged('class/age', out, 'grid small');
    return { id: 'class/age', title: '您的年龄', hint: '这门课有年龄要求。',
      body: K.section(K.lead('这门课只收' + c.min_age + '到' + c.max_age + '岁的学员。您几岁?'), ...list.nodes), mounted: list.mount };
  };

  S['class/confirm'] = function () {
    const c = klass();
    const full = c.capacity - c.taken <= 0 || c.waiting > 0;
    const ok = K.button('确认报名', (b) => K.busy(b, async () => {
      const body = { class_id: c.id, phone: d().phone, name: d().name || '', age: d().classAge || 0,
        idempotency_key: K.idem(['class', c.id, d().phone].join(':')) };
      d().classEnrolment = await K.submit('POST', '/api/class-enrolments', body);
      K.finish('class/done');
    }, '请点“返回”检查,或找工作人员帮忙。'), { primary: true, server: true, id: 'confirm' });
    return {
      id: 'class/confirm',
      title: '请核对',
      hint: '核对无误,点“确认报名”。',
      body: K.section(K.el('div', { class: 'columns fit-first' },
        K.el('div', {}, K.facts([['课程', c.title + '(' + c.teacher + '老师)'], ['时间', schedule(c)], ['学期', term(c)],
          ['地点', c.place], ['手机', K.mask(d().phone)]])),
        K.el('div', {}, K.el('p', {}, full ? '名额已满,确认后会排队候补,有名额时短信通知您。' : '一次报名整个学期,每周按时来上课。'),
          K.namePicker(), K.el('div', { class: 'actions' }, ok)))),
    };
  };

  S['class/done'] = function () {
    const c = klass() || {};
    return K.enrolDone('class/done', d().classEnrolment, {
      label: '课程',
      line: K.el('p', {}, '每次上课出示签到码或二维码。连续3次没来上课,会收到短信问您是否保留名额。'),
      slip: { title: '课程报名凭条', facts: [['课程', c.title], ['时间', c.weekday ? schedule(c) : ''], ['地点', c.place]],
        foot: '每次上课出示签到码或二维码。' },
    });
  };
})(window.K);
