import { strict as assert } from 'node:assert';
import { checkSlackPayload } from '../../../src/channels/slack/payloadShape';

const callback = (event: Record<string, unknown>): Record<string, unknown> => ({ type: 'event_callback', team_id: 'T1', event_id: 'Ev1', event });

describe('checkSlackPayload', () => {
  it('should accept the payloads Slack really sends', () => {
    const accepted = [
      callback({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi', ts: '1.1' }),
      callback({ type: 'app_mention', channel: 'C1', user: 'U1', text: '<@U0> hi', ts: '1.2', thread_ts: '1.0' }),
      callback({
        type: 'message',
        subtype: 'message_changed',
        channel: 'D1',
        ts: '1.3',
        message: { user: 'U1', text: 'edited', ts: '1.1' },
        previous_message: { user: 'U1', text: 'hi', ts: '1.1' },
      }),
      callback({ type: 'message', subtype: 'file_share', channel: 'D1', user: 'U1', ts: '1.4', files: [{ id: 'F1' }] }),
      callback({ type: 'team_join', user: { id: 'U2', name: 'new' } }),
      callback({ type: 'channel_created', channel: { id: 'C2', name: 'new' } }),
      {
        type: 'block_actions',
        user: { id: 'U1' },
        team: { id: 'T1' },
        channel: { id: 'D1' },
        container: { type: 'message' },
        actions: [{ action_id: 'a', value: 'Yes', type: 'button', block_id: 'b' }],
      },
      { type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1 },
    ];
    for (const payload of accepted) assert.equal(checkSlackPayload(payload), undefined, JSON.stringify(payload));
  });

  it('should name what is wrong in malformed payloads', () => {
    assert.match(checkSlackPayload({ type: 'event_callback' }) ?? '', /"event" must be an object/);
    assert.match(checkSlackPayload(callback({ type: 'message', user: null })) ?? '', /"event.user" must be a string/);
    assert.match(checkSlackPayload(callback({ type: 'message', text: 42 })) ?? '', /"event.text" must be a string/);
    assert.match(checkSlackPayload(callback({ type: 'team_join', user: 7 })) ?? '', /string or an object/);
    assert.match(checkSlackPayload({ type: 'block_actions', user: { id: 'U1' }, actions: {} }) ?? '', /non-empty array/);
    assert.match(checkSlackPayload({ type: 'block_actions', user: { id: 'U1' }, actions: [{ value: 'x' }] }) ?? '', /action_id/);
    assert.match(checkSlackPayload({ type: 'block_actions', actions: [] }) ?? '', /"user.id"/);
    assert.match(checkSlackPayload({ type: 5 }) ?? '', /"type" must be a string/);
  });
});
