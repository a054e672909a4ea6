/**
 * TensorBoard tags → training metric keys. Common spellings map to the standard names
 * (train_loss, val_loss, train_accuracy, val_accuracy, learning_rate, gradient_norm);
 * anything else becomes its sanitised tag (stored as training_<key>).
 */
const STANDARD: Record<string, string> = {};
const alias = (key: string, tags: string[]) => tags.forEach((t) => (STANDARD[t] = key));
alias('train_loss', [
  'loss',
  'loss/train',
  'train/loss',
  'train_loss',
  'training/loss',
  'loss/training',
  'epoch_loss',
  'batch_loss',
]);
alias('val_loss', [
  'val_loss',
  'loss/val',
  'val/loss',
  'loss/validation',
  'validation/loss',
  'valid/loss',
  'loss/valid',
  'eval/loss',
  'epoch_val_loss',
]);
alias('train_accuracy', [
  'accuracy',
  'acc',
  'train/acc',
  'train/accuracy',
  'accuracy/train',
  'acc/train',
  'train_acc',
  'train_accuracy',
  'epoch_accuracy',
  'epoch_acc',
]);
alias('val_accuracy', [
  'val_acc',
  'val_accuracy',
  'val/acc',
  'val/accuracy',
  'accuracy/val',
  'acc/val',
  'validation/accuracy',
  'accuracy/validation',
  'valid/acc',
  'eval/accuracy',
  'epoch_val_accuracy',
]);
alias('learning_rate', [
  'lr',
  'learning_rate',
  'train/lr',
  'train/learning_rate',
  'epoch_learning_rate',
  'learning-rate',
  'lr/train',
  'optimizer/lr',
]);
alias('gradient_norm', [
  'grad_norm',
  'gradient_norm',
  'train/grad_norm',
  'train/gradient_norm',
  'grad-norm',
  'gradients/norm',
  'grad_norm/total',
]);
alias('epoch', ['epoch', 'train/epoch']);

/** Run subdirectories Keras and others write per split: logs/run1/train, logs/run1/validation. */
export const SPLIT_DIRS: Record<string, 'train' | 'val'> = {
  train: 'train',
  validation: 'val',
  val: 'val',
  eval: 'val',
  valid: 'val',
};

export function sanitiseTag(tag: string): string {
  let s = tag
    .replace(/[^a-zA-Z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  if (!s) s = 'unnamed';
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return s.slice(0, 180);
}

/** The metric key for a tag, for the run's split directory when it has one. `epoch` is the epoch field. */
export function metricKeyForTag(tag: string, split?: 'train' | 'val'): string {
  const known = STANDARD[tag.toLowerCase()];
  if (split === 'val') {
    if (known === 'train_loss' || known === 'val_loss') return 'val_loss';
    if (known === 'train_accuracy' || known === 'val_accuracy') return 'val_accuracy';
    if (known) return known;
    return `val_${sanitiseTag(tag.replace(/^epoch_/, ''))}`;
  }
  return known ?? sanitiseTag(tag);
}
