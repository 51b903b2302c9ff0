import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { focalWeight, gammaKey, LESSON_GAMMAS, lossVsPt } from './focalCurve';
import './lesson.css';
import { ChartData } from '../ChartData';

const GAMMA_COLORS = ['#1d2433', '#1a56c4', '#2f9e44', '#d9480f', '#9c36b5'];

/** Lesson: focal loss −(1 − p_t)^γ ln p_t against p_t for γ ∈ {0, 0.5, 1, 2, 5} (γ = 0 is BCE), with a classroom explanation. */
export const LossVsPtChart = memo(function LossVsPtChart() {
  const data = useMemo(() => lossVsPt(LESSON_GAMMAS, 100), []);
  return (
    <figure className="lesson" data-testid="loss-vs-pt" aria-label="Focal loss against p_t">
      <figcaption>
        Why focal loss helps rare classes, in theory: focal loss against p_t, the probability the model gives the right answer{' '}
        <small>(the experiment above measures what it does on this dataset)</small>
      </figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 6, right: 14, bottom: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="pt"
            domain={[0, 1]}
            ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
            tick={{ fontSize: 10 }}
            label={{ value: 'p_t (1 = confidently right)', position: 'insideBottom', offset: -10, fontSize: 11 }}
          />
          <YAxis
            domain={[0, 5]}
            ticks={[0, 1, 2, 3, 4, 5]}
            allowDataOverflow
            width={34}
            tick={{ fontSize: 10 }}
            label={{ value: 'loss', angle: -90, position: 'insideLeft', fontSize: 11 }}
          />
          <Tooltip isAnimationActive={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(p) => `p_t = ${p}`} />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 11 }} />
          {LESSON_GAMMAS.map((g, i) => (
            <Line
              key={g}
              dataKey={gammaKey(g)}
              name={g === 0 ? 'γ = 0 (BCE)' : `γ = ${g}`}
              stroke={GAMMA_COLORS[i % GAMMA_COLORS.length]}
              dot={false}
              strokeWidth={g === 2 ? 2.5 : 1.5}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <ChartData
        title="focal loss against p_t, per γ"
        digits={3}
        columns={['p_t', ...LESSON_GAMMAS.map((g) => `γ = ${g}`)]}
        rows={() => data.filter((_, i) => i % 10 === 0 || i === data.length - 1).map((d) => [d.pt, ...LESSON_GAMMAS.map((g) => d[gammaKey(g)] ?? null)])}
      />
      <div className="lesson-text">
        <p>
          Every image asks the model 28 yes/no questions, and for most classes the answer is almost always “no”. Cross-entropy (γ = 0) still charges a little
          for each of those easy, already-right answers, and thousands of little charges outweigh the few images of a rare class such as Rods &amp; rings (11 of
          31,072 training images).
        </p>
        <p>
          Focal loss multiplies the loss by (1 − p_t)^γ. An easy example the model already gets right with p_t = 0.9 is down-weighted{' '}
          {Math.round(1 / focalWeight(0.9, 2))}× at γ = 2, while a hard one with p_t = 0.1 keeps {Math.round(focalWeight(0.1, 2) * 100)}% of its loss. Training
          time goes to the mistakes, which is where the rare classes are. Too large a γ (5) flattens the curve so much that even moderately wrong answers barely
          teach anything; γ = 2 is the usual choice.
        </p>
      </div>
    </figure>
  );
});
