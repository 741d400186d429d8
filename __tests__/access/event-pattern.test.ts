/** The EventBridge matcher the monitoring tests rely on, against AWS's documented examples. */
import { matchPattern } from '../support/event-pattern';

const event = {
  source: 'aws.ec2',
  'detail-type': 'EC2 Instance State-change Notification',
  detail: {
    state: 'running',
    'instance-id': 'i-0123',
    c: 5,
    ip: '10.0.0.255',
    tags: ['a', 'b'],
    items: [{ k: 'x' }, { k: 'y' }],
    none: null,
  },
};

test.each([
  [{ source: ['aws.ec2'] }, true],
  [{ source: ['aws.s3'] }, false],
  [{ source: ['aws.s3', 'aws.ec2'] }, true],
  [{ detail: { state: ['running'], c: [5] } }, true],
  [{ detail: { state: ['running'], c: [6] } }, false],
  [{ detail: { state: [{ prefix: 'run' }] } }, true],
  [{ detail: { state: [{ prefix: 'stop' }] } }, false],
  [{ detail: { state: [{ suffix: 'ing' }] } }, true],
  [{ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
  [{ detail: { state: [{ wildcard: 'r*g' }] } }, true],
  [{ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, true],
  [{ detail: { state: [{ 'anything-but': 'running' }] } }, false],
  [{ detail: { state: [{ 'anything-but': { prefix: 'ru' } }] } }, false],
  [{ detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  [{ detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  [{ detail: { c: [{ numeric: ['>', 5] }] } }, false],
  [{ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, true],
  [{ detail: { ip: [{ cidr: '10.0.1.0/24' }] } }, false],
  [{ detail: { missing: [{ exists: false }] } }, true],
  [{ detail: { missing: [{ exists: true }] } }, false],
  [{ detail: { state: [{ exists: true }] } }, true],
  [{ detail: { state: [{ exists: false }] } }, false],
  [{ detail: { tags: ['b'] } }, true],
  [{ detail: { tags: ['c'] } }, false],
  [{ detail: { items: { k: ['y'] } } }, true],
  [{ detail: { items: { k: ['z'] } } }, false],
  [{ detail: { none: [null] } }, true],
  [{ detail: { $or: [{ state: ['stopped'] }, { c: [5] }] } }, true],
  [{ detail: { $or: [{ state: ['stopped'] }, { c: [6] }] } }, false],
  [{ detail: { state: ['running'], $or: [{ c: [6] }, { ip: [{ prefix: '10.' }] }] } }, true],
])('%j matches: %s', (pattern, expected) => {
  expect(matchPattern(event, pattern as any)).toBe(expected);
});
