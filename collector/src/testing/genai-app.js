// An application instrumented the way users do it, run as its own Node process (the official
// OpenAI instrumentation patches through Node's require, which jest replaces): it makes a
// plain, a streamed and a rate-limited chat call with the openai SDK against OPENAI_BASE_URL,
// plus one span that is not a model call, then exports the spans to COLLECTOR_URL/v1/traces
// with the OTLP exporter named by EXPORTER (proto | json) — twice, as a retry would.
// Prints {"spans": n, "results": [code, code]}.
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-node');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const env = process.env;
const memory = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': env.SERVICE_NAME || 'chat-app' }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
registerInstrumentations({ tracerProvider: provider, instrumentations: [new OpenAIInstrumentation()] });
// Loaded after the instrumentation is registered, or no span appears.
const { OpenAI } = require('openai');

async function main() {
  const openai = new OpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: 'test', maxRetries: 0 });
  const model = env.MODEL;
  await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'stream please' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) void chunk;
  await openai.chat.completions
    .create({ model, messages: [{ role: 'user', content: 'again' }] })
    .then(() => {
      throw new Error('the third call should have been rate limited');
    })
    .catch((err) => {
      if (err.status !== 429) throw err;
    });
  provider.getTracer('http').startSpan('GET /health').end();

  const { OTLPTraceExporter } =
    env.EXPORTER === 'json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto');
  const exporter = new OTLPTraceExporter({
    url: `${env.COLLECTOR_URL}/v1/traces`,
    headers: { authorization: `Bearer ${env.AIHUB_TOKEN}` },
  });
  const spans = memory.getFinishedSpans();
  const results = [];
  for (let i = 0; i < 2; i++) {
    const r = await new Promise((resolve) => exporter.export(spans, resolve));
    results.push(r.code);
    if (r.error) console.error(String(r.error));
  }
  await exporter.shutdown();
  process.stdout.write(JSON.stringify({ spans: spans.length, results }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
