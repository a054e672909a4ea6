module.exports = async function globalTeardown() {
  if (globalThis.__AIHUB_PG__) await globalThis.__AIHUB_PG__.stop();
  if (globalThis.__AIHUB_TSDB__) await globalThis.__AIHUB_TSDB__.stop();
};
