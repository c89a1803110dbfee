'use strict';
// lib/time.js: dates and times in the community's time zone, whatever zone
// the device is set to. The zone is the one /api/community gives
// (time_zone, e.g. Asia/Shanghai); the pages format with
// Intl.DateTimeFormat in it and never guess it from a time's offset.
(function () {
  const Chorus = (window.Chorus = window.Chorus || {});
  const pad = (n) => String(n).padStart(2, '0');

  const T = (Chorus.time = {
    // zone is the community's IANA time zone; Asia/Shanghai until the
    // server says otherwise (every community Chorus serves today).
    zone: 'Asia/Shanghai',
  });

  let fmt = null;
  // formatter returns the Intl formatter of the zone, made once per zone.
  function formatter() {
    if (!fmt || fmt.zone !== T.zone) {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: T.zone, hourCycle: 'h23', weekday: 'short',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
      fmt.zone = T.zone;
    }
    return fmt;
  }

  // setZone makes name the zone of every time shown; a name the browser
  // does not know leaves the zone as it was and returns false.
  T.setZone = function (name) {
    if (!name) return false;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
    } catch (e) {
      return false;
    }
    T.zone = name;
    return true;
  };

  // fromCommunity takes the zone from /api/community's answer.
  T.fromCommunity = function (c) {
    if (c && c.time_zone) T.setZone(c.time_zone);
    return c;
  };

  const WD = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

  // parts returns the wall-clock parts of a time (an RFC 3339 string, a
  // Date or milliseconds) in the community's zone: {y, mo, d, wd (0 is
  // Sunday), hh, mi, ss, ymd "2026-12-05", hm "09:00"}; null for no time.
  T.parts = function (t) {
    const d = t instanceof Date ? t : new Date(t);
    if (isNaN(d.getTime())) return null;
    const p = {};
    for (const x of formatter().formatToParts(d)) p[x.type] = x.value;
    const r = { y: +p.year, mo: +p.month, d: +p.day, wd: WD[p.weekday], hh: +p.hour, mi: +p.minute, ss: +p.second };
    r.ymd = `${r.y}-${pad(r.mo)}-${pad(r.d)}`;
    r.hm = `${pad(r.hh)}:${pad(r.mi)}`;
    return r;
  };

  // offset returns the zone's UTC offset at time t (ms), in minutes.
  T.offset = function (t) {
    const p = T.parts(t);
    const wall = Date.UTC(p.y, p.mo - 1, p.d, p.hh, p.mi, p.ss);
    return Math.round((wall - Math.floor(t / 1000) * 1000) / 60000);
  };

  // offsetText writes an offset in minutes as RFC 3339 does: +08:00.
  T.offsetText = function (min) {
    const m = Math.abs(min);
    return (min < 0 ? '-' : '+') + pad(Math.floor(m / 60)) + ':' + pad(m % 60);
  };

  // iso makes the RFC 3339 time of a date ("2026-12-05") and a wall-clock
  // time ("09:00") in the community's zone.
  T.iso = function (ymd, hm) {
    const wall = Date.parse(`${ymd}T${hm}:00Z`);
    let off = T.offset(wall);
    off = T.offset(wall - off * 60000); // the offset at that moment, across a change of offset
    return `${ymd}T${hm}:00${T.offsetText(off)}`;
  };

  // addDays returns the date n days after "YYYY-MM-DD".
  T.addDays = function (ymd, n) {
    const d = new Date(ymd.slice(0, 10) + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };
})();
