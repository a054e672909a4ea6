// Extends the generated .config/webpack config (left untouched, per create-plugin's convention):
// the nested panel's img/ folder is not copied by the default rules.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({ patterns: [{ from: 'panels/*/img/**', to: '.' }] }),
    ],
  };
};

export default config;
