/**
 * Demo data for the panel: a training run that starts to overfit (validation loss turns up
 * after epoch 20 while training loss keeps falling), shaped as a Prometheus datasource would
 * return aihub_training_loss{run_id, split}.
 */
export function overfittingRun(runId: string, now: number, epochs = 40) {
  const points = (f: (e: number) => number) =>
    Array.from({ length: epochs }, (_, e) => [now - (epochs - e) * 60_000, Number(f(e).toFixed(4))] as [number, number]);
  return [
    { name: 'aihub_training_loss', labels: { run_id: runId, split: 'train' }, points: points((e) => 2 * Math.exp(-e / 8) + 0.05) },
    {
      name: 'aihub_training_loss',
      labels: { run_id: runId, split: 'val' },
      points: points((e) => (e <= 20 ? 2 * Math.exp(-e / 8) + 0.25 : 2 * Math.exp(-20 / 8) + 0.25 + 0.03 * (e - 20))),
    },
  ];
}
