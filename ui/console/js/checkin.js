'use strict';
// checkin.js: 现场签到 in the console: staff type a resident's 6-digit code
// (or a scanner types the QR code's /c/TOKEN) for an event; the answer is
// shown large. The door's own page, with the camera, is /staff/checkin.
(function (C) {
  const h = C.h;

  C.route('checkin', {
    title: '现场签到',
    async render(view, args, ctx) {
      const events = await C.currentEvents();
      const today = C.today();
      const todays = events.filter((e) => e.slots.some((s) => C.parts(s.start).ymd === today));
      const list = todays.length ? todays : events;
      const want = Number(args[0]) || (todays.length === 1 ? todays[0].id : 0) || Number(sessionStorage.getItem('chorus.checkin.event')) || 0;
      const event = C.select([[0, '请选择活动']].concat(list.map((e) => [e.id, `${e.title} · ${C.eventWhen(e)}`])), { required: true, value: list.some((e) => e.id === want) ? want : 0 });
      const code = C.input({ name: 'code', inputmode: 'numeric', autocomplete: 'off', required: true, maxlength: 200 });
      const answer = h('div', { class: 'answer', role: 'status', 'aria-live': 'assertive' });
      const counts = h('p', { class: 'summary' });

      async function showCounts() {
        if (!Number(event.value)) return counts.replaceChildren();
        const a = await C.api('GET', `/api/admin/events/${event.value}/attendance`);
        counts.textContent = `已签到 ${a.checked_in} 人,还没到 ${a.not_yet} 人,共预约 ${a.booked} 人。`;
      }
      event.addEventListener('change', () => {
        sessionStorage.setItem('chorus.checkin.event', event.value);
        showCounts().catch(() => {});
      });

      const f = C.form({
        label: '签到', name: '现场签到',
        submit: async () => {
          if (!Number(event.value)) throw C.invalid('请先选择签到的活动。');
          const v = code.value.trim();
          const body = { event_id: Number(event.value) };
          if (/^\d{6}$/.test(v)) body.code = v;
          else body.token = v;
          const r = await C.api('POST', '/api/admin/checkins', body);
          const good = r.outcome === 'ok';
          answer.className = 'answer ' + (good ? 'good' : r.outcome === 'already' ? 'same' : 'bad');
          answer.replaceChildren(h('p', { class: 'big' }, r.message),
            r.booking ? h('p', {}, `${r.booking.name || ''} ${r.booking.phone} · ${C.span(r.booking.slot_start, r.booking.slot_end)}`) : null,
            r.first_at && r.outcome === 'already' ? h('p', {}, `第一次签到:${C.when(r.first_at)}`) : null);
          code.value = '';
          code.focus();
          await showCounts();
        },
      }, C.field('活动', event), C.field('签到码或二维码内容', code, { hint: '输入居民的6位签到码;扫码枪扫二维码会自动填入。' }));
      view.append(
        h('p', { class: 'hint' }, '用手机摄像头扫二维码,请打开', h('a', { href: '/staff/checkin' }, '扫码签到页'),
          '。没带签到码的居民,可以在“预约”页按手机号后4位或姓名查找后签到。'),
        f, answer, counts);
      await showCounts();
      code.focus();
    },
  });
})(window.C);
