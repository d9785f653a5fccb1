// HTTP Range parsing (pure): what a download resumer sends, and what must be ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange } from '../../src/http/range';

test('single ranges: closed, open-ended, suffix, clamped at the end', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=900-', 1000), { kind: 'partial', start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { kind: 'partial', start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { kind: 'partial', start: 0, end: 999 });
  assert.deepEqual(parseRange('bytes=10-5000', 1000), { kind: 'partial', start: 10, end: 999 });
  assert.deepEqual(parseRange('Bytes = 1 - 2', 1000), { kind: 'partial', start: 1, end: 2 });
});

test('unsatisfiable: starting at or past the end, an empty suffix, anything of an empty file', () => {
  assert.deepEqual(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
});

test('ignored (the whole file is sent): no header, other units, several ranges, reversed, garbage', () => {
  for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=5-1', 'bytes=-', 'bytes=abc']) {
    assert.deepEqual(parseRange(header, 1000), { kind: 'whole' }, String(header));
  }
});
