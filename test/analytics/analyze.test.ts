import { strict as assert } from 'node:assert';
import { ConversationAnalytics } from '../../src/analytics/analyze';
import { renderHtml } from '../../src/analytics/html';
import { renderText } from '../../src/analytics/text';
import { happyConversation, TranscriptBuilder } from './fixtures';

function analyze(...transcripts: ReturnType<TranscriptBuilder['build']>[]) {
  const analytics = new ConversationAnalytics({ now: () => new Date('2026-11-25T00:00:00Z') });
  for (const t of transcripts) analytics.add(t);
  return analytics.report();
}

describe('conversation analytics', () => {
  it('should count the funnel step by step, per form run', () => {
    const askedOnly = new TranscriptBuilder('asked-only')
      .customer('where is my order')
      .event({ name: 'form.started', withOrderId: false })
      .bot('What is your order ID?')
      .build();
    const confirmedNotFound = new TranscriptBuilder('not-found')
      .customer('order 11111')
      .event({ name: 'form.started', withOrderId: true })
      .event({ name: 'form.id_given' })
      .customer('yes')
      .event({ name: 'form.confirmed' })
      .event({ name: 'form.not_found' })
      .build();

    const report = analyze(happyConversation('a'), happyConversation('b'), askedOnly, confirmedNotFound);

    assert.equal(report.funnel.forms, 4);
    assert.deepEqual(
      report.funnel.steps.map((s) => [s.step, s.forms, s.share]),
      [
        ['asked', 4, 1],
        ['id_given', 3, 0.75],
        ['confirmed', 3, 0.75],
        ['status_delivered', 2, 0.5],
      ],
    );
  });

  it('should say where and why customers dropped off, including those who stopped answering', () => {
    const cancelledAtConfirm = new TranscriptBuilder('c1')
      .customer('order 12345')
      .event({ name: 'form.started', withOrderId: true })
      .event({ name: 'form.id_given' })
      .customer('cancel')
      .event({ name: 'form.abandoned', reason: 'cancel', at: 'orderStatusDialog.confirmPrompt' })
      .build();
    const stuckOnId = new TranscriptBuilder('c2')
      .customer('order status')
      .event({ name: 'form.started', withOrderId: false })
      .customer('x')
      .event({ name: 'form.id_invalid', attempt: 1 })
      .customer('y')
      .event({ name: 'form.id_invalid', attempt: 2 })
      .customer('z')
      .event({ name: 'form.too_many_attempts' })
      .build();
    const silent = new TranscriptBuilder('c3').customer('order status').event({ name: 'form.started', withOrderId: false }).build();
    const handoff = new TranscriptBuilder('c4')
      .customer('where is my order')
      .event({ name: 'form.started', withOrderId: false })
      .customer('talk to a person')
      .event({ name: 'form.abandoned', reason: 'handoff', at: 'orderStatusDialog.orderIdPrompt' })
      .event({ name: 'handoff.requested', reason: 'user_request' })
      .build();

    const report = analyze(cancelledAtConfirm, stuckOnId, silent, handoff);

    const drops = report.funnel.dropOffs.map((d) => `${d.lastStep}/${d.reason}=${d.forms}`).sort();
    assert.deepEqual(drops, ['asked/handoff=1', 'asked/no_reply=1', 'asked/too_many_attempts=1', 'id_given/cancelled=1']);
    assert.equal(report.funnel.formsWithInvalidIds, 1);
    assert.equal(report.funnel.invalidIds, 2);
  });

  it('should list misunderstood messages by frequency, matched by reply id even when the clock is skewed', () => {
    const skewed = new TranscriptBuilder('skew').customer('Can I PAY with  bitcoin?').event({ name: 'fallback', stage: 'did_you_mean' }).build();
    // The channel's clock runs ahead: the customer's message is stored after the bot's event.
    const [message, event] = skewed.activities;
    skewed.activities.splice(0, 2, event!, message!);
    const again = new TranscriptBuilder('again')
      .customer('can i pay with bitcoin?')
      .event({ name: 'fallback', stage: 'did_you_mean' })
      .customer('do you ship to mars')
      .event({ name: 'fallback', stage: 'offer_human' })
      .build();

    const report = analyze(skewed, again);

    assert.equal(report.fallbacks.total, 3);
    assert.deepEqual(report.fallbacks.byStage, { did_you_mean: 2, offer_human: 1 });
    assert.deepEqual(report.fallbacks.topUtterances, [
      { text: 'can i pay with bitcoin?', count: 2 },
      { text: 'do you ship to mars', count: 1 },
    ]);
    assert.equal(report.fallbacks.rate, 1);
  });

  it('should still read events whose value was redacted, from their label', () => {
    const redacted = new TranscriptBuilder('redacted')
      .customer('[redacted]')
      .event({ name: 'form.started', withOrderId: true }, true)
      .event({ name: 'form.id_given' }, true)
      .event({ name: 'form.confirmed' }, true)
      .event({ name: 'form.status_delivered', status: 'delivered' }, true)
      .event({ name: 'feedback.asked' }, true)
      .event({ name: 'feedback', helpful: false }, true)
      .build();

    const report = analyze(redacted);

    assert.equal(report.funnel.steps[3]?.forms, 1);
    assert.deepEqual([report.feedback.helpful, report.feedback.notHelpful], [0, 1]);
  });

  it('should report feedback, satisfaction, handoff rate and standard handoff.status events', () => {
    const handedOff = new TranscriptBuilder('h')
      .customer('talk to a person')
      .event({ name: 'handoff.requested', reason: 'user_request' })
      .raw({ type: 'event', name: 'handoff.status', value: { state: 'accepted' }, from: { id: 'bot', name: 'bot' } })
      .raw({ type: 'event', name: 'handoff.status', value: { state: 'completed' }, from: { id: 'bot', name: 'bot' } })
      .event({ name: 'satisfaction', rating: 3, scale: 3 })
      .build();
    const unhappy = new TranscriptBuilder('u').customer('hi').event({ name: 'satisfaction', rating: 1, scale: 3 }).build();
    const greetingOnly = new TranscriptBuilder('g').bot('Hello!').build();

    const report = analyze(happyConversation('a'), happyConversation('b'), handedOff, unhappy, greetingOnly);

    assert.deepEqual(report.feedback, { asked: 2, answered: 2, helpful: 2, notHelpful: 0, helpfulRate: 1, responseRate: 1 });
    assert.deepEqual(report.satisfaction, { ratings: 2, averageShare: 0.6667, distribution: { '1/3': 1, '3/3': 1 } });
    assert.equal(report.conversations, 5);
    assert.equal(report.activeConversations, 4);
    assert.deepEqual([report.handoffs.requested, report.handoffs.rate, report.handoffs.claimed, report.handoffs.resolved], [1, 0.25, 1, 1]);
    assert.deepEqual(report.handoffs.byReason, { user_request: 1 });
  });

  it('should group conversations by day and cover the whole period', () => {
    const report = analyze(happyConversation('a', '2026-11-20T10:00:00Z'), happyConversation('b', '2026-11-22T23:59:00Z'));

    assert.deepEqual(
      report.daily.map((d) => [d.date, d.conversations, d.statusesDelivered]),
      [
        ['2026-11-20', 1, 1],
        ['2026-11-22', 1, 1],
      ],
    );
    assert.equal(report.period.from, '2026-11-20T10:00:01.000Z');
  });

  it('should give an empty but well-formed report for no transcripts', () => {
    const report = analyze();

    assert.equal(report.funnel.forms, 0);
    assert.equal(report.feedback.helpfulRate, undefined);
    assert.match(renderText(report), /0 form runs/);
    assert.match(renderHtml(report), /<\/html>/);
  });
});

describe('analytics rendering', () => {
  it('should draw the charts inline and escape customer text, with scripts forbidden', () => {
    const hostile = new TranscriptBuilder('x').customer('<script>alert(1)</script> & "quotes"').event({ name: 'fallback', stage: 'explain' }).build();
    const report = analyze(happyConversation('a'), hostile);

    const html = renderHtml(report);

    assert.ok(!html.includes('<script>'), 'customer text must be escaped');
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.ok((html.match(/<svg /g) ?? []).length >= 4);
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(html), 'the page must not load anything');
  });

  it('should print the funnel, the drop-offs and the utterances to add to the training data', () => {
    const report = analyze(happyConversation('a'), new TranscriptBuilder('b').customer('hello?').event({ name: 'fallback', stage: 'explain' }).build());

    const text = renderText(report);

    assert.match(text, /got the status\s+1\s+100\.0%/);
    assert.match(text, /add them to data\/nlu\.yml/);
    assert.match(text, /1 {2}hello\?/);
  });
});
