"""Work that goes on after an answer: background tasks and the webhook outbox."""
