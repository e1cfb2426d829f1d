"""Russian wordings for the demo dialogues, grouped by who speaks and about what.

``operator`` and ``client`` hold the stage fragments, ``topics`` the topic-specific ones,
``email`` the letter furniture, and ``style`` the transforms that make a line look like a
channel (raw ASR, messenger slang, typos, bureaucratese, filler words).
"""
