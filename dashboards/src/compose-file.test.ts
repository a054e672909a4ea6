import { documentedEnvNames, hostPaths, interpolatedVariables, parseCompose } from './compose-file';

describe('compose file helpers', () => {
  const compose = parseCompose(`
x-env: &env
  A: \${FROM_ANCHOR:?needed}
services:
  web:
    build: {context: ., dockerfile: web/Dockerfile}
    environment:
      <<: *env
      B: \${WITH_DEFAULT:-x}
      C: $$NOT_A_VARIABLE
      D: $PLAIN
    volumes:
      - data:/var/lib/data
      - ./conf/app.yml:/etc/app.yml:ro
      - {type: bind, source: ../shared, target: /shared}
secrets:
  token: {file: ./secrets/token}
volumes:
  data:
`);

  it('merges YAML anchors like Compose does', () => {
    expect(compose.services.web.environment).toMatchObject({
      A: '${FROM_ANCHOR:?needed}',
      B: '${WITH_DEFAULT:-x}',
    });
  });

  it('lists bind mounts, build paths and secret files but not named volumes', () => {
    expect(hostPaths(compose).map((p) => `${p.kind} ${p.source}`)).toEqual([
      'build context .',
      'dockerfile web/Dockerfile',
      'bind ./conf/app.yml',
      'bind ../shared',
      'secret file ./secrets/token',
    ]);
  });

  it('finds interpolated variables in every syntax and skips $$ escapes', () => {
    expect(
      interpolatedVariables(
        'a ${FROM_ANCHOR:?needed} ${WITH_DEFAULT:-x} ${BARE} $PLAIN $$NOT_A_VARIABLE ${ALT:+y}',
      ),
    ).toEqual(['ALT', 'BARE', 'FROM_ANCHOR', 'PLAIN', 'WITH_DEFAULT']);
  });

  it('reads documented names from .env.example, commented out or not', () => {
    expect(
      [
        ...documentedEnvNames(
          '# comment\nAIHUB_TOKEN=change-me\n# OPENAI_API_KEY=\nexport X_Y=1\nnot a var\n',
        ),
      ].sort(),
    ).toEqual(['AIHUB_TOKEN', 'OPENAI_API_KEY', 'X_Y']);
  });
});
