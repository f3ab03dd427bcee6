/**
 * Neumaier's compensated summation: the error stays at a few ulp of the result however many terms
 * are added, so streaming sums over millions of distinct scores agree with numpy's pairwise sums
 * far inside the 1e-9 conformance tolerance.
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
