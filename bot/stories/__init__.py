"""Story clustering: one story per real-world event across outlets and follow-ups.

The pipeline's path for one article, all pure and synchronous except SQL retrieval:

1. :func:`bot.stories.identity.canonical_url` gives the article's identity;
2. :func:`bot.stories.features.features_for` turns text + classifier events into features;
3. a candidate index (:class:`bot.stories.index.InMemoryIndex`, or the store's
   ``SqlStoryIndex``) returns the stories filed under the article's keys near its time;
4. :class:`bot.stories.clusterer.StoryClusterer` picks the story it belongs to, or none;
5. :func:`bot.stories.state.new_story` / :func:`bot.stories.state.merge_story` update the story
   and report a status change.

:mod:`bot.stories.placement` is what a placement is and the book interface the pipeline places
through (``bot.store.storybook.SqlStoryBook`` over the database);
:class:`bot.stories.book.MemoryStoryBook` runs 2-5 in memory (``dealradar cluster``, tests).
"""
