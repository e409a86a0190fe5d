import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { depsOf, lazyDeps } from '../../src/adapters/lambda/lazy-deps';
import { secretsManagerResolver } from '../../src/adapters/secrets-manager';
import { loadWebhookConfig } from '../../src/config';
import { isWebhookError, WebhookError } from '../../src/core/webhook/errors';
import { type IngestDeps, ingest, type WebhookRequest } from '../../src/core/webhook/ingest';
import { acceptedResponse, errorResponse } from '../../src/core/webhook/respond';
import { buildWebhookDeps } from './build-deps';

export interface WebhookHandlerOptions {
  logger?: Logger;
  metrics?: Metrics;
}

/** A Function URL event as the core sees it: raw bytes (decoded from base64 when so marked), lower-case headers. */
function toRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    headers,
    body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

/**
 * The webhook: a Lambda Function URL at `POST /webhooks/{source}`. Wiring only — the work is in
 * {@link ingest}; errors become HTTP answers here, at the edge. Neither bodies, signatures nor
 * secrets are logged.
 */
export function makeHandler(
  deps: IngestDeps | (() => Promise<IngestDeps>),
  options: WebhookHandlerOptions = {},
) {
  const logger = options.logger ?? new Logger({ serviceName: 'jama-sync-webhook' });
  const metrics = options.metrics ?? new Metrics({ namespace: 'JamaSync', serviceName: 'webhook' });
  const work = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const resolved = depsOf<IngestDeps>(context);
    const result = await ingest(toRequest(event), resolved);
    metrics.addMetric('webhook_events', MetricUnit.Count, result.accepted);
    metrics.addMetric('webhook_enqueued', MetricUnit.Count, result.enqueued);
    metrics.addMetric('webhook_coalesced', MetricUnit.Count, result.coalesced);
    logger.info('webhook accepted', { ...result });
    return acceptedResponse(result);
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>(work)
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(
      // Not the sender's fault and nothing was queued (e.g. Secrets Manager unreachable): retry later.
      lazyDeps(
        deps,
        (error) =>
          new WebhookError('WEBHOOK_UNAVAILABLE', 'the webhook could not start; retry the request', {
            cause: error,
          }),
      ),
    )
    .use({
      onError: (request) => {
        const error = request.error;
        const response = errorResponse(error);
        metrics.addMetric(`webhook_status_${response.statusCode}`, MetricUnit.Count, 1);
        if (isWebhookError(error) && !error.retryable) {
          logger.warn('webhook refused', { code: error.code, status: error.status, reason: error.message });
        } else logger.error('webhook failed', { status: response.statusCode, error: error ?? undefined });
        request.response = response;
      },
    });
}

export const handler = makeHandler(() =>
  buildWebhookDeps(loadWebhookConfig(), { resolveSecret: secretsManagerResolver() }),
);
