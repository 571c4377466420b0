"""Optimizers (``tutorgrad.optim``): update parameters from their gradients."""
