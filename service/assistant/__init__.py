"""The assistant: answers from the registry, the engine and reviews, with citations."""
