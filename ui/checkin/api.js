// Staff check-in page: talking to the server, the server's clock, and the
// queue of scans made while the network was down (kept in localStorage and
// sent later with their own time; the server keeps the first time).
'use strict';

(function () {
  const C = (window.checkin = window.checkin || {});

  // requestTimeout is how long a request may take before the scan is kept
  // for later, in ms: the door cannot wait longer.
  const requestTimeout = 8000;
  // retryEvery is how often the queue is tried while scans wait, in ms.
  const retryEvery = 5000;
  const queueKey = 'chorus.checkin.queue';

  C.csrf = '';
  // offset is the server's clock minus this phone's, in ms, learnt from
  // each answer's Date header: a phone set a few minutes wrong still
  // stamps offline scans with the server's time.
  C.offset = 0;
  C.serverNow = () => Date.now() + C.offset;

  // ApiError is Chorus's one error type (lib/api.js); err.network means
  // the server could not be reached, and the scan is kept.
  C.ApiError = Chorus.ApiError;

  // api sends a request and returns the decoded JSON answer, or throws an
  // ApiError: a network one when the server is unreachable (a gateway
  // with no server behind it too), else the server's no.
  C.api = Chorus.client({
    timeout: requestTimeout,
    csrf: () => C.csrf,
    gatewayDown: true,
    onNetwork: () => C.setOnline(false),
    onAnswer: (res) => {
      const date = Date.parse(res.headers.get('Date') || '');
      if (!isNaN(date)) C.offset = date + 500 - Date.now(); // Date has whole seconds
      C.setOnline(true);
    },
    failure: (status, data) => Chorus.failure(status, data, '出错了,请再试一次。'),
  });

  // online tracks whether the last request reached the server.
  C.online = true;
  C.setOnline = function (on) {
    const was = C.online;
    C.online = on;
    if (C.onNetwork) C.onNetwork(on);
    if (on && !was) C.sync();
  };

  // The queue: [{id, event_id|class_id, token|code|booking_id, at, label}].
  C.queue = {
    load() {
      try {
        const list = JSON.parse(localStorage.getItem(queueKey) || '[]');
        return Array.isArray(list) ? list : [];
      } catch (e) {
        return [];
      }
    },
    save(list) {
      localStorage.setItem(queueKey, JSON.stringify(list));
      if (C.onQueue) C.onQueue(list);
    },
    // add keeps a scan; the same booking scanned twice offline is kept
    // once, with its first time.
    add(item) {
      const list = this.load();
      const same = list.find((q) => q.event_id === item.event_id && q.class_id === item.class_id && q.token === item.token &&
        q.code === item.code && q.booking_id === item.booking_id);
      if (same) return same;
      item.id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
      list.push(item);
      this.save(list);
      return item;
    },
    remove(id) {
      this.save(this.load().filter((q) => q.id !== id));
    },
  };

  let syncing = false;
  // sync sends the kept scans, oldest first, each with its own time; it
  // stops at the first that cannot reach the server.
  C.sync = async function () {
    if (syncing || !C.csrf) return;
    syncing = true;
    try {
      for (const item of C.queue.load()) {
        const body = item.class_id ? { class_id: item.class_id, at: item.at } : { event_id: item.event_id, at: item.at };
        for (const k of ['token', 'code', 'booking_id']) if (item[k]) body[k] = item[k];
        let res;
        try {
          res = await C.api('POST', '/api/admin/checkins', body);
        } catch (e) {
          if (e.network) return;
          if (e.status === 401) {
            if (C.needLogin) C.needLogin();
            return;
          }
          if (e.status === 403) {
            await C.refreshSession().catch(() => {});
            return; // tried again on the next round
          }
          res = { outcome: 'error', message: e.message }; // refused for good: say so, drop it
        }
        C.queue.remove(item.id);
        if (C.onSynced) C.onSynced(item, res);
      }
    } finally {
      syncing = false;
    }
  };

  // refreshSession reads the session's CSRF token again.
  C.refreshSession = async function () {
    const me = await C.api('GET', '/api/me');
    C.csrf = me.csrf_token;
    return me;
  };

  setInterval(() => {
    if (C.queue.load().length > 0) C.sync();
  }, retryEvery);
  window.addEventListener('online', () => C.sync());
})();
