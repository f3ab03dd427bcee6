/**
 * Injects readable, deterministic defects into the credit-risk example so the demo can show the
 * data gate stopping a bad training set. Every personal value added here is synthetic.
 */
export interface InjectedDefect {
  what: string;
  rows: number;
}

const columnsOf = (header: string) => header.split(',').map((name) => name.replaceAll('"', ''));

export function injectCreditDefects(csv: string): { csv: string; defects: InjectedDefect[] } {
  const [header = '', ...records] = csv.trimEnd().split('\n');
  const columns = columnsOf(header);
  const at = (name: string) => columns.indexOf(name);
  const counts = new Map<string, number>();
  const note = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);

  const rows = records.map((record, index) => {
    const fields = record.split(',');
    const set = (name: string, value: string, what: string) => {
      fields[at(name)] = value;
      note(what);
    };
    if (index === 10) set('Age', '150', 'Age above the maximum of 100');
    if (index === 20) set('Age', '-3', 'Age below the minimum of 18');
    if (index === 40 || index === 41) set('Home', '"castle"', 'Home outside the allowed categories');
    if (index >= 50 && index < 53) set('Status', '', 'Status (the label) missing');
    if (index === 60) set('Income', '"n/a"', 'Income that is not a number');
    if (index % 40 === 7 && fields[at('Income')] !== 'NA') set('Income', 'NA', 'Income withheld (null)');
    const contact =
      index % 25 === 0
        ? `"applicant${index}@example.com"`
        : index % 97 === 1
          ? '"card 4111 1111 1111 1111 on file"'
          : '"called back, no answer"';
    if (index % 25 === 0) note('raw email address in an undeclared notes column');
    else if (index % 97 === 1) note('raw card number in an undeclared notes column');
    return [...fields, contact].join(',');
  });
  return {
    csv: `${[`${header},"notes"`, ...rows].join('\n')}\n`,
    defects: [...counts].map(([what, rows]) => ({ what, rows })),
  };
}
