-- Each alarm's episode saved as a recording (samples from 10 s before it to its end), for feedback to label.
ALTER TABLE gs_alarm ADD COLUMN clip_path VARCHAR(1024);
