"""Webhooks (Standard Webhooks): the https endpoints a sales channel names, the deliveries of
each change to them, and the dispatcher that sends them in the background."""
