interface ErrorMessageProps {
  message: string;
  onDismiss?: () => void;
}

/** The one place errors are shown (data-testid="error"), announced to screen readers. */
export function ErrorMessage({ message, onDismiss }: ErrorMessageProps) {
  return (
    <div className="error-message" role="alert" data-testid="error">
      <span className="error-message__text">{message}</span>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}
