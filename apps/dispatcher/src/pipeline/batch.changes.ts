/**
 * The in-memory changes one batch made (decision 0621). Every change a batch makes to what the
 * process holds goes through one of these and can be undone: when the batch's transaction does not
 * commit, `rollback()` restores exactly what was there before, so a redo of the batch starts from
 * the committed state (a mark left behind once made the redo cancel the callback it should fail).
 *
 * After `rollback()` the object refuses further changes: an attempt of the batch that finishes
 * later (handed off) must not change anything. After `commit()` later changes still apply (a
 * handed-off attempt's failure mark lives until its result is recorded) but are not undone.
 */
export class BatchChanges {
  private undo: (() => void)[] = [];
  private state: 'open' | 'committed' | 'rolled-back' = 'open';

  /** Applies `change` now; `revert` restores what was there before if the batch rolls back. */
  apply(change: () => void, revert: () => void): void {
    if (this.state === 'rolled-back') return;
    change();
    if (this.state === 'open') this.undo.push(revert);
  }

  commit(): void {
    if (this.state !== 'open') return;
    this.state = 'committed';
    this.undo = [];
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.state = 'rolled-back';
    for (const revert of this.undo.reverse()) revert();
    this.undo = [];
  }
}
