'use strict';
// sms.js: 短信: the outbox with each message's status and error, sending
// one again, and the inbox of replies the server did not understand
// (handled by staff).
(function (C) {
  const h = C.h;

  // Why Chorus itself did not send a message (err_code of refused ones).
  const REFUSED = {
    opted_out: '居民已退订', daily_limit: '今天发给这个号码的短信已到上限', resend_limit: '重发签到码次数已用完',
    invalid_params: '短信内容不符合模板',
  };

  // refusedText says why Chorus did not send a message.
  const refusedText = (m) => REFUSED[m.err_code] || m.err_code || '原因不明';

  // Statuses a message can be sent again from: ended ones. Queued and
  // sending ones are still on their way. An unknown one (the server could
  // not learn whether the SMS platform has it) is asked about once more
  // before it is sent again, so it never arrives twice.
  const RESENDABLE = ['failed', 'refused', 'submitted', 'delivered', 'unknown'];

  // needsStaff reports whether a message ended without reaching the
  // resident for sure: failed, or its outcome unknown.
  C.needsStaff = (m) => m.status === 'failed' || m.status === 'unknown';

  // errorText says what went wrong with a message, in words.
  const errorText = (m) => (m.status === 'refused' ? refusedText(m)
    : m.status === 'unknown' ? '不知道短信平台是否收到了这条短信(多次查询都没有结果);重发前会再查一次,不会重复发送'
      : [m.err_code, m.err_msg].filter(Boolean).join(' '));

  // resend queues a copy of a message; one that arrived is only sent again
  // after a yes, since the resident will get it twice. after runs when a
  // copy was made (to reload the list).
  async function resend(m, after) {
    const kind = C.label('kind', m.kind);
    if (m.status === 'submitted' || m.status === 'delivered') {
      const sure = await C.confirm(`重发短信:${m.phone}`,
        `这条“${kind}”短信${m.status === 'delivered' ? '已经送达' : '已经交给短信平台'},重发后居民会再收到一条同样的短信。确定要重发吗?`, '重发');
      if (!sure) return;
    }
    const n = await C.api('POST', `/api/admin/messages/${m.id}/resend`, {});
    if (m.status === 'unknown') {
      C.say(`已把“${kind}”短信重新排队:先向短信平台查询,查不到才会发给 ${n.phone}。`);
    } else if (n.status === 'refused') {
      const why = refusedText(n);
      C.say(`没有重发给 ${n.phone}:${why}。${n.err_code === 'opted_out' ? '居民要求恢复接收时,请在居民页点“恢复接收短信”。' : ''}`, 'err');
    } else {
      C.say(`已把“${kind}”短信重新排队发给 ${n.phone}。`);
    }
    if (after) await after(n);
  }

  // settle marks a reply of the inbox dealt with, with what staff did.
  function settle(m, after) {
    const note = C.input({ name: 'note', maxlength: 100, placeholder: '例如:已电话联系,居民要改到下午' });
    const f = C.form({
      label: '标记为已处理', name: '处理短信回复',
      submit: async () => {
        await C.api('POST', `/api/admin/inbox/${m.id}/settle`, { note: note.value.trim() });
        d.close();
        C.say(`已把 ${m.phone} 的回复标记为已处理。`);
        await after();
      },
    }, h('p', {}, `${m.phone} 回复:“${m.content}”`), C.field('怎么处理的', note, { hint: '可以不填;会记在处理结果里。' }));
    const d = C.dialog('处理短信回复', f);
    note.focus();
  }

  // smsTable lists messages with status and error, and a 重发 button on
  // those that ended; after runs when one was sent again.
  C.smsTable = (list, caption, after) => C.table([
    { label: '时间', cell: (m) => C.stamp(m.created_at) },
    { label: '手机号', cell: (m) => C.link(m.phone, `#/residents/${m.phone}`, { 'aria-label': `居民 ${m.phone}` }) },
    { label: '类型', cell: (m) => C.label('kind', m.kind) },
    { label: '内容', cell: (m) => Object.values(m.params || {}).join(' · ') },
    { label: '状态', cell: (m) => C.badge(C.label('message', m.status), 'msg-' + m.status) },
    { label: '尝试', class: 'num', cell: (m) => String(m.attempts) },
    { label: '错误', cell: errorText },
    { label: '操作', cell: (m) => (RESENDABLE.includes(m.status)
      ? C.button('重发', () => resend(m, after), { class: 'small', 'aria-label': `重发:${m.phone} ${C.label('kind', m.kind)}` }) : '') },
  ], list, { caption, empty: '没有短信。', rowClass: (m) => (C.needsStaff(m) ? 'failed' : '') });

  // resendMessage is resend for other pages (今日).
  C.resendMessage = resend;
  C.messageError = errorText;

  C.route('sms', {
    title: '短信',
    async render(view, args, ctx) {
      const status = C.select([['', '全部'], ['failed', '发送失败'], ['unknown', '状态不明'], ['refused', '未发送'], ['queued', '排队中'], ['submitted', '已提交'], ['delivered', '已送达']], { name: 'status', value: args[0] || '' });
      const phone = C.input({ type: 'tel', name: 'phone', inputmode: 'tel', maxlength: 20 });
      const outBody = h('div');
      const inBody = h('div');
      const all = C.check('也显示已自动处理的回复', { name: 'all' });

      async function loadOut() {
        const q = phone.value.trim() ? `?phone=${encodeURIComponent(C.phoneDigits(phone.value))}` : '';
        const { messages } = await C.api('GET', '/api/admin/messages' + q);
        if (!C.current(ctx.gen)) return;
        const list = status.value ? messages.filter((m) => m.status === status.value) : messages;
        outBody.replaceChildren(h('p', { class: 'hint' }, `最近 ${messages.length} 条中的 ${list.length} 条。`), C.smsTable(list, '发件箱', loadOut));
      }
      async function loadIn() {
        let inbox;
        try {
          inbox = (await C.api('GET', '/api/admin/inbox' + (C.box(all).checked ? '?all=1' : ''))).inbox;
        } catch (e) {
          if (e.status !== 404) throw e;
          inBody.replaceChildren(h('p', { class: 'empty' }, '这台服务器没有启用短信回复。'));
          return;
        }
        if (!C.current(ctx.gen)) return;
        inBody.replaceChildren(C.table([
          { label: '收到', cell: (m) => C.stamp(m.received_at) },
          { label: '手机号', cell: (m) => C.link(m.phone, `#/residents/${m.phone}`, { 'aria-label': `居民 ${m.phone}` }) },
          { label: '内容', cell: (m) => h('span', { class: 'reply' }, m.content) },
          { label: '识别为', cell: (m) => C.label('intent', m.intent) },
          { label: '处理结果', cell: (m) => (m.handled ? m.outcome : C.badge('请工作人员处理', 'warn')) },
          { label: '操作', cell: (m) => (m.handled ? '' : C.button('已处理', () => settle(m, loadIn), { class: 'small', 'aria-label': `已处理:${m.phone} 的回复` })) },
        ], inbox, { caption: '收件箱', empty: C.box(all).checked ? '没有收到回复。' : '没有需要处理的回复。' }));
      }

      const filter = C.form({ label: '筛选', name: '筛选发件箱', class: 'inline', submit: loadOut },
        C.field('状态', status), C.field('手机号', phone, { hint: '可以不填' }));
      status.addEventListener('change', () => loadOut().catch((e) => C.say(C.errorText(e), 'err')));
      C.box(all).addEventListener('change', () => loadIn().catch((e) => C.say(C.errorText(e), 'err')));
      view.append(
        h('p', { class: 'hint' }, '居民回复的“1”“2”“退订”和共建单位的“接”“完成”“退”会自动处理;看不懂的回复放在收件箱,请工作人员打电话跟进,处理后点“已处理”。重发签到码在“预约”页的名单里。'),
        C.section('收件箱:看不懂的回复', all, inBody),
        C.section('发件箱', filter, outBody));
      await Promise.all([loadIn(), loadOut()]);
    },
  });
})(window.C);
