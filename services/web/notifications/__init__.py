"""Each person's notifications: what concerns them, made from the services' events exactly
once per event and person, kept in their inbox in the workspace and sent by e-mail where
they chose (``rules`` decides who is told of what; ``commands`` stores and queues;
``delivery`` sends; ``texts`` says it in the person's language)."""
