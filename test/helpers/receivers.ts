// The loopback Slack-compatible and Standard Webhooks receivers live in src/receivers (the demo
// uses them too).
export { SlackReceiver, type SlackMessage } from '../../src/receivers/slack';
export { WebhookReceiver, newWebhookSecret as webhookSecret, type WebhookDelivery } from '../../src/receivers/webhook';
