'use strict';
// booking.js: the welcome screen, the menu, and booking a seat at a free
// clinic (义诊) or another event: event → day → slot → phone → confirm
// (with the name chosen there) → done.
(function (K) {
  const S = K.screens;
  const d = () => K.session.d;

  // seatsWords says how many seats an event or slot has, in words.
  function eventState(ev) {
    const open = ev.slots.filter((s) => s.open);
    const left = open.reduce((n, s) => n + s.seats_left, 0);
    if (!open.length) return { words: '已停止预约', can: false };
    if (left > 0) return { left, can: true };
    return ev.waitlist ? { words: '已约满,可以候补', can: true } : { words: '已约满', can: false };
  }

  function leftNode(st) {
    if (st.left) return [K.el('span', {}, '还有 '), K.el('span', { class: 'num' }, String(st.left)), K.el('span', {}, ' 个空位')];
    return [K.el('span', { class: 'state-word' }, st.words)];
  }

  // evNow and slotNow return the current data of what a screen was drawn
  // from: a snapshot (after a reconnect or a resync) replaces the objects.
  const evNow = (ev) => K.event(ev.id) || ev;
  const slotNow = (ev, sl) => {
    const e = K.event(ev.id);
    return (e && e.slots.find((x) => x.id === sl.id)) || sl;
  };

  function days(ev) {
    return [...new Set(ev.slots.map((s) => s.start.slice(0, 10)))].sort();
  }

  // ---- welcome ----
  S.welcome = function () {
    const data = K.data;
    const items = [];
    const now = Date.now() + data.clockOffset;
    for (const a of data.announcements.filter((x) => !x.expires_at || Date.parse(x.expires_at) > now)) {
      items.push(K.el('div', { class: 'announce' }, K.el('p', {}, K.el('strong', {}, '通知:'), a.text)));
    }
    if (!data.loaded) {
      items.push(K.el('p', {}, '正在连接服务器,请稍等…'));
    } else {
      const today = K.now().ymd;
      const todays = data.events.filter((e) => e.slots.some((s) => s.start.slice(0, 10) === today));
      items.push(K.el('h2', {}, '今天的活动'));
      if (!todays.length) items.push(K.el('p', {}, '今天没有活动。'));
      for (const ev of todays) items.push(eventLine(ev, today));
      const soon = data.events.filter((e) => !todays.includes(e) && e.slots.some((s) => s.start.slice(0, 10) > today)).slice(0, 3);
      if (soon.length) {
        items.push(K.el('h2', {}, '近期活动'));
        for (const ev of soon) items.push(eventLine(ev, null));
      }
    }
    const list = K.paged('welcome', items, 'stack');
    const start = K.button('开始', () => K.show('menu'), { primary: true, id: 'start', blocked: !data.loaded });
    return {
      id: 'welcome',
      title: '欢迎使用社区自助服务',
      hint: '有不明白的地方,请找工作人员帮忙。',
      say: '要办事,请点“开始”:可以预约义诊和活动、上门理发、托管报名,或查看我的预约。',
      body: K.section(K.el('div', { class: 'welcome' },
        K.el('div', { class: 'start' }, start, K.el('p', {}, '点“开始”,可以预约义诊和活动、上门理发、托管报名,或查看我的预约。')),
        K.el('div', { class: 'news' }, ...list.nodes))),
      mounted: list.mount,
    };
  };

  // host names the community that hosts an event open to the district
  // when it is not the kiosk's own ("和泽苑社区主办"), else ''.
  function host(ev) {
    const k = K.data.kiosk;
    if (!ev.community_name || !k || !k.community || ev.community === k.community) return '';
    return ev.community_name + '主办';
  }
  K.eventHost = host;

  // eventLine is one event on the welcome screen: time, title, place,
  // seats left (kept current).
  function eventLine(ev, today) {
    const day = today || ev.slots[0].start.slice(0, 10);
    const slots = ev.slots.filter((s) => s.start.slice(0, 10) === day);
    const first = slots[0], last = slots[slots.length - 1];
    const when = (today ? '' : K.dayLabel(first.start) + ' ') + K.span(first.start, last.end);
    const p = K.el('p', { class: 'event-line' });
    return K.watch('today', p, () => {
      const e = evNow(ev);
      const now = e.slots.filter((s) => s.start.slice(0, 10) === day);
      p.replaceChildren(K.el('span', { class: 'num' }, when), ' ', K.el('strong', {}, ev.title),
        ev.place ? ' · ' + ev.place : '', host(ev) ? ' · ' + host(ev) : '', ' · ', ...leftNode(eventState(Object.assign({}, e, { slots: now }))));
    });
  }

  // ---- the menu ----
  S.menu = function () {
    const item = (t, sub, to, id) => K.button([K.el('span', { class: 't' }, t), K.el('span', { class: 'sub' }, sub)],
      () => K.show(to), { cls: 'card', id });
    return {
      id: 'menu',
      title: '请选择要办的事',
      hint: '点一下要办的事。',
      say: '有义诊和活动预约、上门理发、托管报名、场馆开放、课程报名、我要帮忙、我的预约、我要求助。点一下要办的事。',
      body: K.section(K.el('div', { class: 'grid menu' },
        item('义诊和活动预约', '量血压、听讲座、上课', 'event/list', 'go-events'),
        item('上门理发', '理发师到家里来', 'haircut/phone', 'go-haircut'),
        item('托管报名', '寒暑假孩子托管', 'enrol/list', 'go-enrol'),
        item('场馆开放', '体育馆、图书室,按时段预约', 'venue/list', 'go-venues'),
        K.button([K.el('span', { class: 't' }, '课程报名'), K.el('span', { class: 'sub' }, '书法、瑜伽等公益课')],
          (b) => K.busy(b, async () => {
            await K.loadClasses();
            K.show('class/list');
          }), { cls: 'card', id: 'go-class', server: true }),
        K.button([K.el('span', { class: 't' }, '我要帮忙'), K.el('span', { class: 'sub' }, '报名当志愿者')],
          (b) => K.busy(b, async () => {
            await K.loadShifts();
            K.show('volunteer/list');
          }), { cls: 'card', id: 'go-volunteer', server: true }),
        item('我的预约', '查看或取消预约', 'mine/phone', 'go-mine'),
        item('我要求助', '志愿者上门帮忙', 'help/phone', 'go-help'))),
    };
  };

  // ---- events ----
  S['event/list'] = function () {
    const items = K.data.events.filter((ev) => ev.kind !== 'venue').map((ev) => {
      const ds = days(ev);
      const when = ds.length > 1 ? K.dayLabel(ds[0]) + ' 至 ' + K.day(ds[ds.length - 1]).md : K.dayLabel(ds[0]);
      const status = K.el('span', { class: 'sub' });
      const b = K.button([K.el('span', { class: 't' }, ev.title), K.el('span', { class: 'sub' }, when),
        K.el('span', { class: 'sub' }, '地点:' + (ev.place || '见短信')),
        host(ev) ? K.el('span', { class: 'sub host' }, host(ev)) : null, status], () => chooseEvent(ev.id), { cls: 'card' });
      b.dataset.event = ev.id;
      return K.watch('event:' + ev.id, b, () => {
        const st = eventState(evNow(ev));
        status.replaceChildren(...leftNode(st));
        K.block(b, !st.can);
      });
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '现在没有可以预约的活动。请点“首页”回去。'));
    const list = K.paged('event/list', items, 'grid cards');
    return {
      id: 'event/list',
      title: '选择活动',
      hint: '点一下想参加的活动。',
      body: K.section(K.lead('请选择要预约的活动:'), ...list.nodes),
      mounted: list.mount,
    };
  };

  // ---- 场馆开放: partners' venues open to residents ----
  // venue/list shows today's and the rest of this week's open sessions
  // (slots of the venues' open-hours events) with places left; a tap goes
  // on to the event booking's own phone, confirm and done screens.
  S['venue/list'] = function () {
    const today = K.now().ymd;
    const wd = new Date(today + 'T00:00:00Z').getUTCDay();
    const sunday = K.addDays(today, wd === 0 ? 0 : 7 - wd);
    const sessions = [];
    for (const ev of K.data.events.filter((e) => e.kind === 'venue')) {
      for (const sl of ev.slots) {
        const day = sl.start.slice(0, 10);
        if (day >= today && day <= sunday) sessions.push({ ev, sl, day });
      }
    }
    sessions.sort((a, b) => a.sl.start.localeCompare(b.sl.start) || a.ev.id - b.ev.id);
    const items = [];
    for (const { ev, sl, day } of sessions) {
      const state = K.el('span', { class: 'sub' });
      const b = K.button([K.el('span', { class: 't num' }, (day === today ? '今天 ' : K.dayLabel(day) + ' ') + K.span(sl.start, sl.end)),
        K.el('span', { class: 'sub' }, ev.place || ev.title), state], () => {
        d().eventId = ev.id;
        d().day = day;
        d().slotId = sl.id;
        K.show('event/phone');
      }, { cls: 'card' });
      b.dataset.slot = sl.id;
      items.push(K.watch('slot:' + sl.id, b, () => {
        const s = slotNow(ev, sl);
        if (!s.open) state.replaceChildren(K.el('span', { class: 'state-word' }, '已停止预约'));
        else if (s.seats_left > 0) state.replaceChildren('还剩 ', K.el('span', { class: 'num seats' }, String(s.seats_left)), ' 个名额');
        else state.replaceChildren(K.el('span', { class: 'state-word' }, '已满'));
        K.block(b, !s.open || s.seats_left === 0);
      }));
    }
    if (!items.length) items.push(K.el('p', { class: 'note' }, '这周没有开放的场馆了。请点“首页”回去。'));
    const list = K.paged('venue/list', items, 'grid cards');
    return {
      id: 'venue/list',
      title: '场馆开放',
      hint: '点一下想去的场馆和时间。',
      say: '这是共建单位向居民开放的场馆。点一下想去的场馆和时间。',
      body: K.section(K.lead('今天和本周向居民开放的共建单位场馆,请选择时间:'), ...list.nodes),
      mounted: list.mount,
    };
  };

  function chooseEvent(id) {
    const ev = K.event(id);
    if (!ev) return;
    d().eventId = id;
    const ds = days(ev);
    if (ds.length > 1) {
      K.show('event/day');
    } else {
      d().day = ds[0];
      K.show('event/slot');
    }
  }

  // gone is the screen for an event removed meanwhile.
  function gone(id) {
    return {
      id,
      title: '活动有变化',
      body: K.section(K.lead('这个活动刚刚取消或停止预约了。'), K.el('p', {}, '请点“返回”选其他活动,或点“首页”。')),
    };
  }

  S['event/day'] = function () {
    const ev = K.event(d().eventId);
    if (!ev) return gone('event/day');
    const items = days(ev).map((day) => {
      const status = K.el('span', { class: 'sub' });
      const b = K.button([K.el('span', { class: 't num' }, K.dayLabel(day)), status], () => {
        d().day = day;
        K.show('event/slot');
      }, { cls: 'card' });
      return K.watch('event:' + ev.id, b, () => {
        const e = evNow(ev);
        const st = eventState(Object.assign({}, e, { slots: e.slots.filter((s) => s.start.slice(0, 10) === day) }));
        status.replaceChildren(...leftNode(st));
        K.block(b, !st.can);
      });
    });
    const list = K.paged('event/day', items, 'grid cards');
    return {
      id: 'event/day',
      title: '选择日期',
      hint: '点一下哪一天。',
      body: K.section(K.lead(ev.title + ':请选择日期。'), ...list.nodes),
      mounted: list.mount,
    };
  };

  S['event/slot'] = function () {
    const ev = K.event(d().eventId);
    if (!ev) return gone('event/slot');
    const day = d().day;
    const items = [];
    if (ev.description) items.push(K.el('p', { class: 'note' }, ev.description));
    for (const sl of ev.slots.filter((s) => s.start.slice(0, 10) === day)) {
      const when = K.el('span', { class: 't num' }, K.span(sl.start, sl.end));
      const state = K.el('span', { class: 'sub' });
      const b = K.button([when, state], () => {
        d().slotId = sl.id;
        K.show('event/phone');
      }, { cls: 'slot' });
      b.dataset.slot = sl.id;
      items.push(K.watch('slot:' + sl.id, b, () => {
        const s = slotNow(ev, sl);
        let full = true;
        if (!s.open) {
          state.replaceChildren(K.el('span', { class: 'state-word' }, '已停止预约'));
        } else if (s.seats_left > 0) {
          full = false;
          state.replaceChildren('还剩 ', K.el('span', { class: 'num seats' }, String(s.seats_left)), ' 个');
        } else {
          state.replaceChildren(K.el('span', { class: 'state-word' }, ev.waitlist ? '已满,可候补' : '已满'));
        }
        b.classList.toggle('full', full);
        K.block(b, !s.open || (full && !ev.waitlist));
      }));
    }
    const list = K.paged('event/slot:' + ev.id + ':' + day, items, 'grid slots');
    return {
      id: 'event/slot',
      title: '选择时段',
      hint: '点一下您方便的时间。' + (ev.waitlist ? '已满的时段可以排队候补。' : ''),
      body: K.section(K.lead(ev.title + ' · ' + K.dayLabel(day) + ' · ' + (ev.place || '')), ...list.nodes),
      mounted: list.mount,
    };
  };

  S['event/phone'] = function () {
    return K.phoneScreen('event/phone', async (phone) => {
      await loadNames(phone);
      K.show('event/confirm');
    });
  };

  // loadNames fetches the names used before with the phone, for the
  // name picker; a new phone forgets the earlier choice.
  K.loadNames = loadNames;
  async function loadNames(phone) {
    if (d().namesFor === phone) return;
    const r = await K.api('GET', '/api/names?phone=' + encodeURIComponent(phone));
    d().names = (r && r.names) || [];
    d().namesFor = phone;
    delete d().name;
  }

  // idem returns the idempotency key of a request, the same for retries of
  // the same choice so that a repeated tap never books twice.
  K.idem = function (sig) {
    if (d().idemFor !== sig) {
      d().idem = K.key();
      d().idemFor = sig;
    }
    return d().idem;
  };

  S['event/confirm'] = function () {
    const ev = K.event(d().eventId);
    const sl = ev && ev.slots.find((s) => s.id === d().slotId);
    if (!sl) return gone('event/confirm');
    const status = K.el('p', { class: 'state-line' });
    const ok = K.button('确认预约', (b) => K.busy(b, book, '请点“返回”换个时段,或找工作人员帮忙。'), { primary: true, server: true, id: 'confirm' });
    K.watch('slot:' + sl.id, status, () => {
      const s = slotNow(ev, sl);
      const wait = s.seats_left === 0;
      if (!s.open) status.replaceChildren(K.el('strong', {}, '这个时段已停止预约,'), '请点“返回”换一个。');
      else if (wait) status.replaceChildren(K.el('strong', {}, '这个时段已满。'), ev.waitlist ? '点“确认候补”排队,有空位时短信通知您。' : '请点“返回”换一个时段。');
      else status.replaceChildren('这个时段还剩 ', K.el('span', { class: 'num' }, String(s.seats_left)), ' 个空位。');
      ok.textContent = wait && ev.waitlist ? '确认候补' : '确认预约';
      if (K.shown && K.shown.id === 'event/confirm') K.setHint(K.shown.hint);
      K.block(ok, !s.open || (wait && !ev.waitlist));
    });
    async function book() {
      const wait = slotNow(ev, sl).seats_left === 0;
      const body = {
        event_id: ev.id, slot_id: sl.id, phone: d().phone, name: d().name || '', waitlist: wait,
        idempotency_key: K.idem(['booking', ev.id, sl.id, d().phone, wait].join(':')),
      };
      d().booking = await K.submit('POST', '/api/bookings', body);
      d().moved = false;
      K.finish('event/done');
    }
    return {
      id: 'event/confirm',
      title: '请核对',
      // The hint names the button as it reads now (确认预约 or 确认候补).
      get hint() { return '核对无误,点“' + ok.textContent + '”。要改就点“返回”。'; },
      body: K.section(K.el('div', { class: 'columns' },
        K.el('div', {}, K.facts([
          ['活动', ev.title], ['日期', K.dayLabel(sl.start)], ['时间', K.el('span', { class: 'num' }, K.span(sl.start, sl.end))],
          ['地点', ev.place]].concat(host(ev) ? [['主办', ev.community_name]] : [], [['手机', K.mask(d().phone)]]))),
        K.el('div', {}, status, K.namePicker(), K.el('div', { class: 'actions' }, ok)))),
    };
  };

  // smsLine says what became of the SMS a request sent, as the server
  // reported it: sent, on its way, or not sent (and what to do then).
  // notSent replaces the words for an SMS not sent (a booking's: write
  // down the code).
  K.smsLine = function (sms, phone, notSent) {
    switch (sms) {
      case 'submitted': case 'delivered':
        return K.el('p', { id: 'sms' }, '短信已发送到 ', K.el('span', { class: 'num' }, phone), '。');
      case 'queued': case 'sending':
        return K.el('p', { id: 'sms' }, '短信正在发往 ', K.el('span', { class: 'num' }, phone), ',请留意手机。');
      case 'refused': case 'failed':
        if (notSent) return K.el('p', { id: 'sms' }, K.el('strong', {}, '这次没有发出短信,'), notSent);
        return K.el('p', { id: 'sms' }, K.el('strong', {}, '这次没有发出短信,'), '请记下签到码' +
          (K.data.settings.printer ? '或打印凭条' : '') + ';需要帮忙请找工作人员。');
      default:
        return K.el('p', { id: 'sms' }, '这次没有再发短信。');
    }
  };

  // followSMS follows, while the done screen id shows, the SMS of the
  // request obj (what: booking, enrolment or order) that the server
  // reported on its way: it asks where it is now (GET /api/sms) a few
  // times and redraws the SMS line when it moved on (正在发往 becomes
  // 已发送 once the provider took it, or 没有发出). It stops at a final
  // state, after about half a minute, or when the screen or the session
  // changes; the answer is kept, so a redraw shows it.
  const followAfter = [1000, 2000, 4000, 8000, 15000]; // ms between asks: 5 look-ups at most
  K.followSMS = function (id, what, obj) {
    const moving = (st) => st === 'queued' || st === 'sending';
    if (!moving(obj.sms)) return;
    const session = K.session;
    const phone = session.d.phone;
    const token = {};
    session.d.smsFollow = token;
    const here = () => K.session === session && session.d.smsFollow === token && K.shown && K.shown.id === id;
    let n = 0;
    const ask = async () => {
      if (!here()) return;
      let r = null;
      try {
        r = await K.api('GET', '/api/sms?' + what + '=' + obj.id + '&phone=' + encodeURIComponent(phone));
      } catch (e) {
        r = null; // asked again at the next turn
      }
      if (!here()) return;
      if (r && r.sms && r.sms !== obj.sms) {
        obj.sms = r.sms;
        const line = document.querySelector('#sms');
        if (line) line.replaceWith(K.smsLine(r.sms, obj.phone, obj.notSent));
      }
      if (moving(obj.sms) && ++n < followAfter.length) setTimeout(ask, followAfter[n]);
    };
    setTimeout(ask, followAfter[0]);
  };

  // openSlots are the slots of an event a booking may move to: open, with
  // a seat, not the one held.
  function openSlots(ev, heldId) {
    return ev ? ev.slots.filter((s) => s.open && s.seats_left > 0 && s.id !== heldId) : [];
  }

  S['event/done'] = function () {
    const b = d().booking;
    const held = b.existing && !b.replayed; // the phone had booked this event before
    const wait = b.status === 'waitlisted';
    const needsReply = b.status === 'pending' || b.status === 'offered';
    const head = held ? '您已经预约过这个活动' : d().moved ? '已改好时间' :
      wait ? '已排队候补' : needsReply ? '已预约,请回短信确认' : '预约成功';
    const lines = [];
    if (held) lines.push(K.el('p', {}, '这是您原来的预约,没有重复预约。要换时间,请点“改时间”。'));
    lines.push(K.smsLine(held ? '' : b.sms, b.phone));
    if (!held) K.followSMS('event/done', 'booking', b);
    if (wait) lines.push(K.el('p', {}, '您排在第 ', K.el('span', { class: 'num' }, String(b.position || 1)), ' 位,有空位时会短信通知您。'));
    if (needsReply) {
      lines.push(K.el('p', {}, (b.deadline ? '请在' + K.day(b.deadline).md + ' ' + K.hm(b.deadline) + '前' : '请') + '回复短信“1”确认。'));
    }
    const qr = b.checkin_token ? K.el('img', { class: 'qr', src: '/qr/' + encodeURIComponent(b.checkin_token) + '.png', alt: '签到二维码' }) : null;
    const facts = [['活动', b.event_title],
      ['时间', K.el('span', {}, K.dayLabel(b.slot_start) + ' ', K.el('span', { class: 'num' }, K.span(b.slot_start, b.slot_end)))],
      ['地点', b.place]];
    K.receipt('预约凭条', b.code, b.checkin_token, [['活动', b.event_title], ['日期', K.dayLabel(b.slot_start)],
      ['时间', K.span(b.slot_start, b.slot_end)], ['地点', b.place], ['手机', b.phone]], '请按时到场,出示签到码。');
    const actions = K.doneActions();
    if (held && b.status !== 'waitlisted' && openSlots(K.event(b.event_id), b.slot_id).length) {
      actions.prepend(K.button('改时间', () => K.show('event/move'), { id: 'move' }));
    }
    return {
      id: 'event/done',
      title: head,
      hint: held ? '要换时间点“改时间”;不换就点“完成,回首页”。' : '1分钟后自动回到首页。',
      autoHome: 60,
      body: K.section(K.el('div', { class: 'columns' },
        K.el('div', {},
          K.el('p', { class: held ? 'big-note' : 'big-ok', id: 'outcome' }, held ? head : '✓ ' + head),
          b.code ? K.el('div', { class: 'codebox' },
            K.el('div', {}, K.el('p', {}, '签到码:'), K.el('p', { class: 'code', id: 'code' }, b.code)),
            qr) : null),
        K.el('div', {}, K.facts(facts), ...lines)),
      actions),
    };
  };

  // event/move offers the other open slots of an event booked before; a
  // tap moves the booking there (its code stays) and says so.
  S['event/move'] = function () {
    const b = d().booking;
    const ev = K.event(b.event_id);
    const items = openSlots(ev, b.slot_id).map((sl) => {
      const left = K.el('span', { class: 'sub' }, '还剩 ', K.el('span', { class: 'num' }, String(sl.seats_left)), ' 个');
      const btn = K.button([K.el('span', { class: 't num' }, K.day(sl.start).md + ' ' + K.span(sl.start, sl.end)), left],
        (x) => K.proveThen(x, async () => {
          d().booking = await K.submit('POST', '/api/bookings/' + b.id + '/move', { phone: d().phone, slot_id: sl.id }, K.proofHeader());
          d().moved = true;
          K.finish('event/done');
        }, '请点“返回”换一个时段,或找工作人员帮忙。'), { cls: 'slot', server: true });
      btn.dataset.slot = sl.id;
      return btn;
    });
    if (!items.length) items.push(K.el('p', { class: 'note' }, '现在没有别的时段有空位了。请点“首页”回去。'));
    const list = K.paged('event/move', items, 'grid slots');
    return {
      id: 'event/move',
      title: '改到哪个时段?',
      hint: '点一下新的时间,再输入短信验证码,您的预约就改过去,签到码不变。',
      body: K.section(K.lead('您原来约的是 ' + K.dayLabel(b.slot_start) + ' ' + K.span(b.slot_start, b.slot_end) + ',改到:'), ...list.nodes),
      mounted: list.mount,
    };
  };

  // doneActions are the buttons of a done screen: 打印凭条 when the kiosk
  // has a printer, and 完成.
  K.doneActions = function () {
    const row = K.el('div', { class: 'actions' });
    if (K.data.settings.printer && K.$('#receipt').childElementCount) {
      row.append(K.button('打印凭条', () => window.print(), { id: 'print' }));
    }
    row.append(K.button('完成,回首页', () => K.reset(), { primary: true, id: 'done' }));
    return row;
  };

  // receipt fills the slip the print stylesheet prints.
  K.receipt = function (title, code, token, facts, foot) {
    const r = K.$('#receipt');
    const org = K.data.kiosk ? K.data.kiosk.place || '' : '';
    r.replaceChildren(
      K.el('p', { class: 'r-org' }, '社区自助服务' + (org ? ' · ' + org : '')),
      K.el('p', { class: 'r-title' }, title),
      code ? K.el('p', { class: 'r-label' }, '签到码') : null,
      code ? K.el('p', { class: 'r-code' }, code) : null,
      token ? K.el('img', { class: 'r-qr', src: '/qr/' + encodeURIComponent(token) + '.png', alt: '签到二维码' }) : null,
      K.el('dl', {}, ...facts.filter((f) => f[1]).flatMap(([k, v]) => [K.el('dt', {}, k), K.el('dd', {}, v instanceof Node ? v.textContent : v)])),
      K.el('p', { class: 'r-foot' }, foot));
  };
})(window.K);
