// When the polling activity tells the workflow how polling goes: sparingly, so history grows
// with the logarithm of the time polled, not with the number of polls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signalDue } from '../../src/activities/poll-until-done';

/** The signals a job polling every `everyMs` for `forMs` sends. */
function signalsOver(forMs: number, everyMs: number): number {
  let last: number | undefined;
  let sent = 0;
  for (let now = everyMs; now <= forMs; now += everyMs) {
    if (signalDue({ now, since: 0, lastSignalAt: last })) {
      last = now;
      sent++;
    }
  }
  return sent;
}

test('the first poll is always told, then at most every 10 s', () => {
  assert.equal(signalDue({ now: 5, since: 0, lastSignalAt: undefined }), true);
  assert.equal(signalDue({ now: 9_999, since: 0, lastSignalAt: 0 }), false);
  assert.equal(signalDue({ now: 10_000, since: 0, lastSignalAt: 0 }), true);
});

test('the gap grows to 2 % of the time spent polling', () => {
  const hour = 3_600_000;
  assert.equal(signalDue({ now: hour, since: 0, lastSignalAt: hour - 60_000 }), false, '1 min after the last, 1 h in: the gap is 72 s');
  assert.equal(signalDue({ now: hour, since: 0, lastSignalAt: hour - 72_000 }), true);
});

test('1,000 polls at 1 ms send one signal; a day of polling every second a few hundred', () => {
  assert.equal(signalsOver(1_000, 1), 1);
  const day = signalsOver(86_400_000, 1_000);
  assert.ok(day > 100 && day < 400, `${day} signals in a day`);
  // The count follows the time polled, not the number of polls.
  const hourFast = signalsOver(3_600_000, 10);
  const hourSlow = signalsOver(3_600_000, 1_000);
  assert.ok(Math.abs(hourFast - hourSlow) <= 2, `${hourFast} vs ${hourSlow} signals in an hour`);
});
