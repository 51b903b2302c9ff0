import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * A fault in one view must not leave a blank page: the studio says what broke and offers a reload.
 * Everything the user stored (datasets, runs, predictions) is in the browser's storage, not in the page.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('HPA Studio view failed', error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="panel" role="alert" data-testid="view-error">
        <h2>This view failed</h2>
        <p>{this.state.error.message}. Your datasets, runs and predictions are stored in this browser and are not affected.</p>
        <button className="primary" onClick={() => window.location.reload()}>
          Reload the studio
        </button>
      </section>
    );
  }
}
