pub struct PauseSection;
