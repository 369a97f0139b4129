pub struct SpecdecSection;
