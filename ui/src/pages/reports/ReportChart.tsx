//! A chart of the report's table (@mantine/charts): bars per row for up to
//! 50 rows, or a line when the first dimension is the day or the period.
import { BarChart, LineChart } from '@mantine/charts';
import { Text } from '@mantine/core';
import type { TableView } from '../../bindings';
import { chartData } from './builder';

const COLORS = ['blue.6', 'teal.6', 'orange.6', 'grape.6', 'red.6', 'cyan.6', 'lime.6', 'indigo.6'];

export function ReportChart({ table, height = 260 }: { table: TableView; height?: number }) {
  const data = chartData(table);
  if (data.none) return <Text size="sm" c="dimmed" data-testid="report-chart-none">{data.none}</Text>;
  const series = data.series.map((s, i) => ({ name: s.name, label: s.label, color: COLORS[i % COLORS.length]! }));
  const overTime = table.columns[0] === 'day' || table.columns[0] === 'period';
  return (
    <div data-testid="report-chart">
      {overTime ? (
        <LineChart h={height} data={data.points} dataKey={data.key} series={series} withLegend curveType="linear" />
      ) : (
        <BarChart h={height} data={data.points} dataKey={data.key} series={series} withLegend />
      )}
    </div>
  );
}
