"""Assessment views: booking, the structured record, and risk with the safety plan."""
